/** Every URL of the portal, in one place: routes, redirects and templates use this map. */
export const paths = {
  accueil: '/',
  connexion: '/connexion',
  connexionCode: '/connexion/code',
  deconnexion: '/deconnexion',
  monCompte: '/mon-compte',
  foyer: '/mon-compte/foyer',
  foyerInvitation: '/mon-compte/foyer/invitation',
  foyerDelegation: '/mon-compte/foyer/delegation',
  separation: '/mon-compte/separation',
  /** Issue 14's dossier pages (the navigation lists them all). */
  paiements: '/mon-compte/paiements',
  courriers: '/mon-compte/courriers',
  demarches: '/mon-compte/demarches',
  attestations: '/mon-compte/attestations',
  documents: '/mon-compte/documents',
  documentsAccuse: '/mon-compte/documents/accuse-de-reception',
  declarationTrimestrielle: '/mon-compte/declaration-trimestrielle',
  declarationTrimestrielleAccuse: '/mon-compte/declaration-trimestrielle/accuse-de-reception',
  changementAdresse: '/mon-compte/changement-adresse',
  verifierAttestation: '/verifier-une-attestation',
  /** One letter (its PDF) and, for an LRE, its strong-authentication steps. */
  courrier: '/mon-compte/courriers/:id',
  courrierVerification: '/mon-compte/courriers/:id/verification',
  courrierCode: '/mon-compte/courriers/:id/code',
  attestationPaiement: '/mon-compte/attestations/paiement',
  attestationQuotientFamilial: '/mon-compte/attestations/quotient-familial',
  profil: '/mon-compte/profil',
  profilAdresseElectronique: '/mon-compte/profil/adresse-electronique',
  profilMobile: '/mon-compte/profil/mobile',
  profilCode: '/mon-compte/profil/code',
  profilSuppression: '/mon-compte/profil/suppression',
  profilMotDePasse: '/mon-compte/profil/mot-de-passe',
  profilConnexions: '/mon-compte/profil/connexions',
  profilConnexionsAutres: '/mon-compte/profil/connexions/autres',
  profilHistorique: '/mon-compte/profil/historique',
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
  serveurVocal: '/api/serveur-vocal/consultation',
  /** Development and test only (not registered in production). */
  developpementMessages: '/developpement/messages',
  staticPrefix: '/static/',
} as const;

/** A path with its `:id` filled in (a letter's page and steps). */
export function withId(path: string, id: string): string {
  return path.replace(':id', encodeURIComponent(id));
}

export function isStaticAsset(url: string): boolean {
  return url.startsWith(paths.staticPrefix);
}
