import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#src/config.ts';
import { paths } from '#src/http/paths.ts';
import { registerFilters } from '#src/http/nunjucks/filters.ts';

const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(path.join(projectRoot, 'views')),
  {
    autoescape: true,
    throwOnUndefined: false,
  },
);
registerFilters(env);
env.addGlobal('paths', paths);

function menuOf(context: Record<string, unknown>): string {
  const html = env.renderString('{% extends "layout.njk" %}', {
    currentUser: { displayName: 'Camille MARTIN' },
    ...context,
  });
  return /<nav class="fr-nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
}

const links = (nav: string) => [...nav.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);

describe('the header menu of a signed-in person (views/layout.njk)', () => {
  it('links the dossier pages the access matrix allows, and only those', () => {
    const all = {
      payments: true,
      letters: true,
      demarches: true,
      attestations: true,
      documents: true,
      household: true,
      bankDetails: true,
    };
    expect(links(menuOf({ accountMenu: all, currentPath: paths.monCompte }))).toEqual([
      'Accueil',
      'Mes paiements',
      'Mes courriers',
      'Mes démarches',
      'Mes attestations',
      'Mes documents',
      'Mon foyer',
      'Coordonnées bancaires',
      'Mon profil',
    ]);
    // Each link on its own flag: a child without delegation has her letters, démarches, documents.
    const own = {
      ...all,
      payments: false,
      attestations: false,
      household: false,
      bankDetails: false,
    };
    expect(links(menuOf({ accountMenu: own, currentPath: paths.monCompte }))).toEqual([
      'Accueil',
      'Mes courriers',
      'Mes démarches',
      'Mes documents',
      'Mon profil',
    ]);
    // « Mon profil » is everyone's own (issue 8): no dossier decides it.
    const none = Object.fromEntries(Object.keys(all).map((k) => [k, false]));
    expect(links(menuOf({ accountMenu: none, currentPath: paths.monCompte }))).toEqual([
      'Accueil',
      'Mon profil',
    ]);
    expect(links(menuOf({ accountMenu: null, currentPath: paths.deconnexion }))).toEqual([
      'Accueil',
      'Mon profil',
    ]);
    expect(menuOf({ accountMenu: all, currentPath: paths.monCompte })).toContain(
      `href="${paths.paiements}"`,
    );
  });

  it('marks the current section with aria-current="page", sub-pages included', () => {
    const accountMenu = {
      payments: true,
      letters: true,
      demarches: true,
      attestations: true,
      documents: true,
      household: true,
      bankDetails: true,
    };
    const current = (currentPath: string) =>
      [
        ...menuOf({ accountMenu, currentPath }).matchAll(
          /<a [^>]*aria-current="page"[^>]*>([^<]+)</g,
        ),
      ].map((m) => m[1]);
    expect(current(paths.monCompte)).toEqual(['Accueil']);
    expect(current(paths.foyer)).toEqual(['Mon foyer']);
    expect(current(paths.paiements)).toEqual(['Mes paiements']);
    expect(current(`${paths.paiements}/42`)).toEqual(['Mes paiements']);
    expect(current(paths.courriers)).toEqual(['Mes courriers']);
    expect(current(paths.demarches)).toEqual(['Mes démarches']);
    expect(current(paths.attestations)).toEqual(['Mes attestations']);
    expect(current(paths.documents)).toEqual(['Mes documents']);
    expect(current(paths.coordonneesBancairesCode)).toEqual(['Coordonnées bancaires']);
    expect(current(paths.separation)).toEqual([]);
    expect(current(paths.profil)).toEqual(['Mon profil']);
    expect(current(paths.profilConnexions)).toEqual(['Mon profil']);
  });

  it('is inside the menu modal, which the small-screen Menu button opens', () => {
    const html = env.renderString('{% extends "layout.njk" %}', {
      currentUser: { displayName: 'Camille MARTIN' },
      accountMenu: null,
      currentPath: '/mon-compte',
    });
    expect(html).toMatch(/id="menu-modal"[\s\S]*<nav class="fr-nav" id="navigation"/);
    expect(env.renderString('{% extends "layout.njk" %}', { currentUser: null })).not.toContain(
      'fr-nav',
    );
  });
});
