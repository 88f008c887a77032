import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

/** Issue 8: a form sent after the idle timeout asks to log in again, then returns to its page. */

const ctx = useTestApp();
const COOKIE = 'moncompte';

async function loggedIn(): Promise<TestBrowser> {
  const camille = persona('allocataire-migre');
  const b = new TestBrowser(ctx.app);
  expect((await b.login(camille.nir, camille.password)).headers.location).toBe('/mon-compte');
  return b;
}

/** 31 minutes without a request, as the database (whose clock decides idleness) sees it. */
async function idle(): Promise<void> {
  await ctx.pool.query(
    "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE revoked_at IS NULL",
  );
}

async function logInAgain(b: TestBrowser) {
  const camille = persona('allocataire-migre');
  return b.submit('/connexion', { nir: camille.nir, password: camille.password });
}

describe('session expiry', () => {
  it('a form sent after the idle timeout says « Votre session a expiré », then returns to its page', async () => {
    const b = await loggedIn();
    const page = await b.get('/mon-compte/foyer');
    expect(page.statusCode).toBe(200);
    await idle();
    const late = await b.post('/mon-compte/foyer/invitation', {
      _csrf: csrfTokenOf(page.body),
      email: 'x@example.org',
    });
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe('/connexion');
    const login = await b.get('/connexion');
    expect(login.body).toContain('Votre session a expiré');
    expect(login.body).not.toContain('Formulaire expiré');
    const back = await logInAgain(b);
    expect(back.headers.location).toBe('/mon-compte/foyer');
    expect((await b.get('/mon-compte/foyer')).statusCode).toBe(200);
    // The pre-login notes do not outlive the login.
    const session = ctx.app.decodeSecureSession(b.cookies.get(COOKIE) ?? '');
    expect(session?.get('retour')).toBeUndefined();
    expect(session?.get('expiree')).toBeUndefined();
  });

  it('a page opened after the idle timeout returns to that page after login', async () => {
    const b = await loggedIn();
    await idle();
    const late = await b.get('/mon-compte/separation');
    expect(late.headers.location).toBe('/connexion');
    expect((await b.get('/connexion')).body).toContain('Votre session a expiré');
    expect((await logInAgain(b)).headers.location).toBe('/mon-compte/separation');
  });

  it('an anonymous visitor of an area page returns to it, without the expiry notice', async () => {
    const b = new TestBrowser(ctx.app);
    expect((await b.get('/mon-compte/foyer')).headers.location).toBe('/connexion');
    expect((await b.get('/connexion')).body).not.toContain('Votre session a expiré');
    expect((await logInAgain(b)).headers.location).toBe('/mon-compte/foyer');
  });

  it('« Se déconnecter » after the idle timeout lands on the logged-out page', async () => {
    const b = await loggedIn();
    const page = await b.get('/mon-compte');
    await idle();
    const res = await b.post('/deconnexion', { _csrf: csrfTokenOf(page.body) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/deconnexion');
    expect((await b.get('/deconnexion')).body).toContain('Vous êtes déconnecté(e)');
  });

  it('still answers « Formulaire expiré » to a forged form on a live session', async () => {
    const b = await loggedIn();
    const res = await b.post('/mon-compte/foyer/invitation', { _csrf: 'forged' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Formulaire expiré');
  });

  it.each([
    '//evil.example/mon-compte',
    'https://evil.example/mon-compte',
    '/\\evil.example',
    '/mon-compte/../connexion',
    '/mon-compte//evil.example',
    '/mon-compte/inconnue',
    '/connexion',
  ])('never redirects to a forged return path (%s)', async (retour) => {
    const b = new TestBrowser(ctx.app);
    await b.get('/connexion');
    const forged = ctx.app.createSecureSession({ retour });
    b.cookies.set(COOKIE, ctx.app.encodeSecureSession(forged));
    expect((await logInAgain(b)).headers.location).toBe('/mon-compte');
  });
});
