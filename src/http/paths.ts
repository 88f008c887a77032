/** Every URL of the portal, in one place: routes, redirects and templates use this map. */
export const paths = {
  accueil: '/',
  connexion: '/connexion',
  deconnexion: '/deconnexion',
  monCompte: '/mon-compte',
  identifiantProvisoire: '/identifiant-provisoire',
  motDePasseOublie: '/mot-de-passe-oublie',
  motDePasseOublieCode: '/mot-de-passe-oublie/code',
  motDePasseOublieNouveau: '/mot-de-passe-oublie/nouveau-mot-de-passe',
  premiereConnexion: '/premiere-connexion',
  premiereConnexionCoordonnees: '/premiere-connexion/coordonnees',
  premiereConnexionCode: '/premiere-connexion/code',
  creerMonCompte: '/creer-mon-compte',
  sante: '/sante',
  /** Development and test only (not registered in production). */
  developpementMessages: '/developpement/messages',
  staticPrefix: '/static/',
} as const;

export function isStaticAsset(url: string): boolean {
  return url.startsWith(paths.staticPrefix);
}
