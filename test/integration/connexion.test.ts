import { describe, expect, it } from 'vitest';
import { LOGIN_FAILED } from '#src/http/journeys/connexion/routes.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { sessionOf } from '../support/cookies.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp();

describe('POST /connexion', () => {
  it('logs a migrated allocataire in and shows their own dossier', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    const res = await b.login(camille.nir, camille.password);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-compte');
    const page = await b.get('/mon-compte');
    expect(page.statusCode).toBe(200);
    expect(headerNameOf(page.body)).toBe('Camille MARTIN');
    expect(page.body).toContain('Numéro allocataire 1234567');
  });

  it('accepts the NIR with spaces and with its key', async () => {
    const camille = persona('allocataire-migre');
    const spaced = camille.nir.replace(/^(.)(..)(..)(..)(...)(...)$/, '$1 $2 $3 $4 $5 $6');
    const b = new TestBrowser(ctx.app);
    expect((await b.login(spaced, camille.password)).statusCode).toBe(303);
    const { computeNirKey } = await import('#src/domain/nir.ts');
    const b2 = new TestBrowser(ctx.app);
    expect(
      (await b2.login(camille.nir + computeNirKey(camille.nir), camille.password)).statusCode,
    ).toBe(303);
  });

  it('refuses a wrong password with the generic message', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    const res = await b.login(camille.nir, 'Mauvais-mot-2026');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain(LOGIN_FAILED);
    // Decrypted: the browser holds its anonymous form session, and no session id.
    const held = sessionOf(ctx.app, b);
    expect(typeof held?._csrf).toBe('string');
    expect(held).not.toHaveProperty('sid');
    expect(held).not.toHaveProperty('pid');
  });

  it('gives an unknown NIR exactly the same answer as a wrong password', async () => {
    const camille = persona('allocataire-migre');
    const { makeNir } = await import('#src/domain/nir.ts');
    const unknown = makeNir({
      sex: 1,
      birthYear: 1970,
      birthMonth: 6,
      department: '33',
      commune: '063',
      order: 999,
    }).value;
    const wrong = await new TestBrowser(ctx.app).login(camille.nir, 'Mauvais-mot-2026');
    const missing = await new TestBrowser(ctx.app).login(unknown, 'Mauvais-mot-2026');
    expect(missing.statusCode).toBe(wrong.statusCode);
    const strip = (html: string) =>
      html.replace(/nonce="[^"]+"/g, '').replace(/value="[^"]*"/g, '');
    expect(strip(missing.body)).toBe(strip(wrong.body));
  });

  it('gives a person without an account (child, not migrated) the same generic answer', async () => {
    const lea = (await import('#src/seed/demo.ts'))
      .demoPersonas()
      .find((p) => p.key === 'enfant-16');
    expect(lea?.nir).toBeTruthy();
    const res = await new TestBrowser(ctx.app).login(lea?.nir ?? '', 'Nimporte-quoi-1');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain(LOGIN_FAILED);
  });

  it.each([
    ['', 'Saisissez votre numéro de sécurité sociale.'],
    ['12345', 'doit comporter 13 caractères'],
    ['7850375114123', 'identifiant provisoire'],
    ['285037511412399', 'La clé du numéro de sécurité sociale ne correspond pas'],
  ])('explains a malformed NIR %j next to the field and in the summary', async (nir, message) => {
    const res = await new TestBrowser(ctx.app).login(nir, 'Nimporte-quoi-1');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="error-summary"');
    expect(res.body).toContain('href="#nir"');
    expect(res.body).toMatch(new RegExp(`id="nir-error">[^<]*${message.replace(/[()]/g, '.')}`));
  });

  it('asks for the password when it is missing', async () => {
    const res = await new TestBrowser(ctx.app).login(persona('allocataire-migre').nir, '');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Saisissez votre mot de passe.');
  });

  it('answers a body without any field with messages, not a 500', async () => {
    const b = new TestBrowser(ctx.app);
    const res = await b.submit('/connexion', {});
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Saisissez votre numéro de sécurité sociale.');
  });

  it('refuses a POST without the CSRF token', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    await b.get('/connexion');
    const res = await b.post('/connexion', { nir: camille.nir, password: camille.password });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Formulaire expiré');
  });

  it('refuses a CSRF token taken from another browser', async () => {
    const camille = persona('allocataire-migre');
    const attacker = new TestBrowser(ctx.app);
    const page = await attacker.get('/connexion');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const victim = new TestBrowser(ctx.app);
    await victim.get('/connexion');
    const res = await victim.post('/connexion', {
      _csrf: token,
      nir: camille.nir,
      password: camille.password,
    });
    expect(res.statusCode).toBe(403);
  });

  it('remembers the NIR, never the session, when "Se souvenir de moi" is ticked', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    await b.submit('/connexion', { nir: camille.nir, password: camille.password, remember: 'on' });
    await b.logout();
    const page = await b.get('/connexion');
    expect(page.body).toContain(`value="${camille.nir}"`);
    expect(headerNameOf(page.body)).toBeNull();
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
  });
});
