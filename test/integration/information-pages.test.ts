import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

/** Issue 8: the DSFR footer's pages and « Faire une demande de prestation », open to anyone. */

const ctx = useTestApp();

const FOOTER = {
  '/plan-du-site': 'Plan du site',
  '/accessibilite': 'Déclaration d’accessibilité',
  '/mentions-legales': 'Mentions légales',
  '/donnees-personnelles': 'Données personnelles',
  '/gestion-des-cookies': 'Gestion des cookies',
};

function footerOf(html: string): string {
  return /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';
}

describe('information pages', () => {
  it('the footer links every page, each open without a session, and says how to call the Caf', async () => {
    const b = new TestBrowser(ctx.app);
    const footer = footerOf((await b.get('/connexion')).body);
    expect(footer).toContain('3230');
    expect(footer).toContain('service gratuit + prix d’un appel');
    for (const [url, title] of Object.entries(FOOTER)) {
      expect(footer).toContain(`href="${url}"`);
      const page = await b.get(url);
      expect({ url, status: page.statusCode }).toEqual({ url, status: 200 });
      expect(page.body).toContain(`<h1>${title}</h1>`);
    }
  });

  it('states the RGAA status « partiellement conforme » until audited', async () => {
    const page = await new TestBrowser(ctx.app).get('/accessibilite');
    expect(page.body).toContain('RGAA');
    expect(page.body).toContain('<strong>partiellement conforme</strong>');
    expect(page.body).toContain('Défenseur des droits');
  });

  it('lists only strictly necessary cookies: session, remember-me, device', async () => {
    const page = await new TestBrowser(ctx.app).get('/gestion-des-cookies');
    expect(page.body).toContain('strictement nécessaires');
    for (const name of ['Session', 'Se souvenir de moi', 'Appareil reconnu']) {
      expect(page.body).toContain(`<td>${name}</td>`);
    }
  });

  it('gives the primo-demandeur’s main button a real page: the benefits, what each needs, where', async () => {
    const p = persona('primo-demandeur');
    const b = new TestBrowser(ctx.app);
    await b.login(p.nir, p.password);
    const dashboard = await b.get('/mon-compte');
    expect(dashboard.body).toMatch(/<a class="fr-btn" href="\/demande-de-prestation">/);
    const page = await b.get('/demande-de-prestation');
    expect(page.statusCode).toBe(200);
    for (const id of ['af', 'apl', 'rsa', 'prime-activite', 'paje', 'aah']) {
      expect(page.body).toContain(`data-prestation="${id}"`);
    }
    expect(page.body).toContain('Où déposer votre demande');
    expect(page.body).toContain('MDPH');
  });
});
