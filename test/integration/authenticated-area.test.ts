import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp();

/** Every route of the authenticated area, from the app's own route table. */
function areaRoutes(method: 'GET' | 'POST'): string[] {
  const urls = ctx.app.routeTable
    .filter((r) => r.method === method)
    .map((r) => r.url)
    .filter((url) => url === '/mon-compte' || url.startsWith('/mon-compte/'));
  return [...new Set(urls)];
}

describe('the authenticated area (/mon-compte/*): one guard for every page', () => {
  it('finds the area’s pages and forms in the route table', () => {
    expect(areaRoutes('GET')).toEqual(
      expect.arrayContaining(['/mon-compte', '/mon-compte/foyer', '/mon-compte/separation']),
    );
    expect(areaRoutes('POST')).toEqual(
      expect.arrayContaining(['/mon-compte/foyer/invitation', '/mon-compte/separation']),
    );
  });

  it('sends an anonymous GET of every page to /connexion', async () => {
    for (const url of areaRoutes('GET')) {
      const res = await new TestBrowser(ctx.app).get(url);
      expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({
        url,
        status: 303,
        location: '/connexion',
      });
    }
  });

  it('sends an anonymous POST of every form to /connexion, with a valid CSRF token', async () => {
    for (const url of areaRoutes('POST')) {
      const b = new TestBrowser(ctx.app);
      const page = await b.get('/connexion');
      const res = await b.post(url, { _csrf: csrfTokenOf(page.body) });
      expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({
        url,
        status: 303,
        location: '/connexion',
      });
    }
  });

  it('lets a signed-in person through, with the menu the matrix allows', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    await b.login(camille.nir, camille.password);
    const home = await b.get('/mon-compte');
    expect(home.statusCode).toBe(200);
    expect(home.body).toMatch(
      /<a class="fr-nav__link" href="\/mon-compte" [^>]*aria-current="page"/,
    );
    expect(home.body).toContain('href="/mon-compte/foyer" target="_self">Mon foyer</a>');
    expect(home.body).toContain('>Coordonnées bancaires</a>');
    const julien = persona('conjoint-sans-delegation');
    const other = new TestBrowser(ctx.app);
    await other.login(julien.nir, julien.password);
    const foyer = await other.get('/mon-compte/foyer');
    expect(foyer.body).toMatch(/href="\/mon-compte\/foyer" [^>]*aria-current="page">Mon foyer</);
    expect(foyer.body).not.toContain('>Coordonnées bancaires</a>');
  });
});
