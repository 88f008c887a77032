/** Every URL of the portal, in one place: routes, redirects and templates use this map. */
export const paths = {
  accueil: '/',
  connexion: '/connexion',
  deconnexion: '/deconnexion',
  monCompte: '/mon-compte',
  foyer: '/mon-compte/foyer',
  foyerInvitation: '/mon-compte/foyer/invitation',
  foyerDelegation: '/mon-compte/foyer/delegation',
  separation: '/mon-compte/separation',
  activerMonCompte: '/activer-mon-compte',
  identifiantProvisoire: '/identifiant-provisoire',
  identifiantProvisoireMotDePasseOublie: '/identifiant-provisoire/mot-de-passe-oublie',
  motDePasseOublie: '/mot-de-passe-oublie',
  motDePasseOublieCode: '/mot-de-passe-oublie/code',
  motDePasseOublieNouveau: '/mot-de-passe-oublie/nouveau-mot-de-passe',
  premiereConnexion: '/premiere-connexion',
  premiereConnexionCoordonnees: '/premiere-connexion/coordonnees',
  premiereConnexionCode: '/premiere-connexion/code',
  creerMonCompte: '/creer-mon-compte',
  creerMonCompteCoordonnees: '/creer-mon-compte/coordonnees',
  creerMonCompteCode: '/creer-mon-compte/code',
  creerMonCompteMotDePasse: '/creer-mon-compte/mot-de-passe',
  franceConnectConnexion: '/franceconnect/connexion',
  franceConnectRetour: '/franceconnect/retour',
  franceConnectResultat: '/franceconnect/resultat',
  franceConnectLiaison: '/franceconnect/liaison',
  franceConnectDeconnexion: '/franceconnect/deconnexion',
  franceConnectJwks: '/franceconnect/jwks',
  coordonneesBancaires: '/mon-compte/coordonnees-bancaires',
  coordonneesBancairesVerification: '/mon-compte/coordonnees-bancaires/verification',
  coordonneesBancairesCode: '/mon-compte/coordonnees-bancaires/code',
  coordonneesBancairesEnregistrees: '/mon-compte/coordonnees-bancaires/enregistrees',
  /** Information pages, open to anyone (the footer's links, the primo-demandeur's button). */
  accessibilite: '/accessibilite',
  mentionsLegales: '/mentions-legales',
  donneesPersonnelles: '/donnees-personnelles',
  gestionDesCookies: '/gestion-des-cookies',
  planDuSite: '/plan-du-site',
  demandeDePrestation: '/demande-de-prestation',
  sante: '/sante',
  /** Development and test only (not registered in production). */
  developpementMessages: '/developpement/messages',
  staticPrefix: '/static/',
} as const;

export function isStaticAsset(url: string): boolean {
  return url.startsWith(paths.staticPrefix);
}
