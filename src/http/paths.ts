/** Every URL of the portal, in one place: routes, redirects and templates use this map. */
export const paths = {
  accueil: '/',
  connexion: '/connexion',
  deconnexion: '/deconnexion',
  monCompte: '/mon-compte',
  identifiantProvisoire: '/identifiant-provisoire',
  motDePasseOublie: '/mot-de-passe-oublie',
  creerMonCompte: '/creer-mon-compte',
  sante: '/sante',
  staticPrefix: '/static/',
} as const;

export function isStaticAsset(url: string): boolean {
  return url.startsWith(paths.staticPrefix);
}
