import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { activerMonCompteRoutes } from './activer-mon-compte/routes.ts';
import { connexionCodeRoutes } from './connexion/code.ts';
import { accessibiliteRoutes } from './accessibilite/routes.ts';
import { mentionsLegalesRoutes } from './mentions-legales/routes.ts';
import { donneesPersonnellesRoutes } from './donnees-personnelles/routes.ts';
import { gestionDesCookiesRoutes } from './gestion-des-cookies/routes.ts';
import { planDuSiteRoutes } from './plan-du-site/routes.ts';
import { demandeDePrestationRoutes } from './demande-de-prestation/routes.ts';
import { connexionRoutes } from './connexion/routes.ts';
import { creerMonCompteRoutes } from './creer-mon-compte/routes.ts';
import { deconnexionRoutes } from './deconnexion/routes.ts';
import { developpementRoutes } from './developpement/routes.ts';
import { franceConnectRoutes } from './franceconnect/routes.ts';
import { identifiantProvisoireRoutes } from './identifiant-provisoire/routes.ts';
import { motDePasseOublieRoutes } from './mot-de-passe-oublie/routes.ts';
import { premiereConnexionRoutes } from './premiere-connexion/routes.ts';
import { verifierUneAttestationRoutes } from './verifier-une-attestation/routes.ts';

export { authenticatedArea } from './authenticated-area.ts';
export { santeRoutes } from './sante/routes.ts';
export { serveurVocalRoutes } from './serveur-vocal/routes.ts';

type Journey = (app: FastifyInstance, opts: { services: UseCases }) => Promise<void>;

/** Pages open to anyone: signing in, first connection, recovery, activation, logging out. */
const openJourneys: readonly Journey[] = [
  connexionRoutes,
  connexionCodeRoutes,
  premiereConnexionRoutes,
  motDePasseOublieRoutes,
  identifiantProvisoireRoutes,
  creerMonCompteRoutes,
  activerMonCompteRoutes,
  franceConnectRoutes,
  deconnexionRoutes,
  // Information pages: the footer's, and what to apply for.
  accessibiliteRoutes,
  mentionsLegalesRoutes,
  donneesPersonnellesRoutes,
  gestionDesCookiesRoutes,
  planDuSiteRoutes,
  demandeDePrestationRoutes,
  // Public: a landlord checks an attestation's reference.
  verifierUneAttestationRoutes,
];

/** The public area: every journey that a visitor reaches without being signed in. */
export async function publicArea(app: FastifyInstance, opts: { services: UseCases }) {
  for (const journey of openJourneys) await app.register(journey, opts);
}

/** Development and test only: the outbox page shows every message sent. */
export const developmentArea = developpementRoutes;
