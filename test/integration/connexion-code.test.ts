import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, headerNameOf } from '../support/browser.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

// Issue 8 (ADR 0011): the switch on, as in production.
const ctx = useTestApp({ NEW_DEVICE_CODE: 'on', DEVICE_REMEMBER_DAYS: '30' });

const DEVICE_COOKIE = 'moncompte-appareil';

async function codeFor(email: string): Promise<string> {
  const mail = required(await lastMessageTo(ctx.pool, email), 'e-mail');
  expect(mail.body).toContain('vous connecter depuis un nouvel appareil');
  return codeIn(mail.body);
}

describe('new-device code (NEW_DEVICE_CODE=on)', () => {
  it('asks a new device for a code, then opens the session and remembers the device', async () => {
    const camille = persona('allocataire-migre');
    const email = required(camille.email, 'email');
    const b = new TestBrowser(ctx.app);
    const login = await b.login(camille.nir, camille.password);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/connexion/code');
    expect(b.cookies.has(DEVICE_COOKIE)).toBe(false);
    expect((await b.get('/mon-compte')).statusCode).toBe(303);

    const page = await b.get('/connexion/code');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Confirmer votre connexion');
    const done = await b.submit('/connexion/code', { code: await codeFor(email) });
    expect(done.headers.location).toBe('/mon-compte');
    const device = done.cookies.find((c) => c.name === DEVICE_COOKIE);
    expect(device?.maxAge).toBe(30 * 24 * 3600);
    expect(headerNameOf((await b.get('/mon-compte')).body)).toBe('Camille MARTIN');

    // The same device next time: no code.
    await b.logout();
    const again = await b.login(camille.nir, camille.password);
    expect(again.headers.location).toBe('/mon-compte');
  });

  it('opens nothing for a replayed pending login', async () => {
    const julien = persona('conjoint-sans-delegation');
    const b = new TestBrowser(ctx.app);
    await b.login(julien.nir, julien.password);
    const copy = new TestBrowser(ctx.app);
    for (const [k, v] of b.cookies) copy.cookies.set(k, v);
    const token = csrfTokenOf((await copy.get('/connexion/code')).body);
    const code = await codeFor(required(julien.email, 'email'));
    expect((await b.submit('/connexion/code', { code })).headers.location).toBe('/mon-compte');
    const replay = await copy.post('/connexion/code', { _csrf: token, code });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/connexion');
    expect((await copy.get('/mon-compte')).statusCode).toBe(303);
  });

  it('voids the code after 5 wrong tries, even if the right one comes next', async () => {
    const sophie = persona('allocataire-leroy');
    const b = new TestBrowser(ctx.app);
    await b.login(sophie.nir, sophie.password);
    const code = await codeFor(required(sophie.email, 'email'));
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      const res = await b.submit('/connexion/code', { code: wrong });
      expect([400, 429]).toContain(res.statusCode);
    }
    const late = await b.submit('/connexion/code', { code });
    expect([400, 429]).toContain(late.statusCode);
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
  });

  it('asks the same of a provisional-identifier login', async () => {
    const p = demo('identifiant-provisoire');
    const b = new TestBrowser(ctx.app);
    const res = await b.submit('/identifiant-provisoire', {
      identifiant: required(p.provisionalId, 'id'),
      password: required(p.password, 'password'),
    });
    expect(res.headers.location).toBe('/connexion/code');
  });

  it('sends nobody to the code page without a pending login', async () => {
    const b = new TestBrowser(ctx.app);
    expect((await b.get('/connexion/code')).headers.location).toBe('/connexion');
    expect((await b.submit('/connexion', {}, '/connexion/code')).headers.location).toBe(
      '/connexion',
    );
  });
});
