import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp();

describe('the cookie a login writes', () => {
  it('already holds the CSRF secret: the pages after it write no cookie, their forms work', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    const login = await b.login(camille.nir, camille.password);
    expect(login.statusCode).toBe(303);
    expect(login.headers['set-cookie']).toBeDefined();
    const first = await b.get('/mon-compte');
    const second = await b.get('/mon-compte/foyer');
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(second.headers['set-cookie']).toBeUndefined();
    // The token of a page verifies against that secret: « Se déconnecter » is accepted.
    const out = await b.post('/deconnexion', { _csrf: csrfTokenOf(first.body) });
    expect(out.statusCode).toBe(303);
    expect((await b.get('/mon-compte')).headers.location).toBe('/connexion');
  });

  it('holds a secret of its own for each login', async () => {
    const camille = persona('allocataire-migre');
    const one = new TestBrowser(ctx.app);
    const two = new TestBrowser(ctx.app);
    await one.login(camille.nir, camille.password);
    await two.login(camille.nir, camille.password);
    const token = csrfTokenOf((await one.get('/mon-compte')).body);
    // One session's token is refused by the other (403, the session is kept).
    const refused = await two.post('/deconnexion', { _csrf: token });
    expect(refused.statusCode).toBe(403);
    expect((await two.get('/mon-compte')).statusCode).toBe(200);
  });
});
