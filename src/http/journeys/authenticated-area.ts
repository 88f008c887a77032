import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { requirePrincipal } from '../plugins/session.ts';
import { attestationsRoutes } from './attestations/routes.ts';
import { courriersRoutes } from './courriers/routes.ts';
import { changementAdresseRoutes } from './changement-adresse/routes.ts';
import { coordonneesBancairesRoutes } from './coordonnees-bancaires/routes.ts';
import { documentsRoutes } from './documents/routes.ts';
import { declarationTrimestrielleRoutes } from './declaration-trimestrielle/routes.ts';
import { demarchesRoutes } from './demarches/routes.ts';
import { foyerRoutes } from './foyer/routes.ts';
import { monCompteRoutes } from './mon-compte/routes.ts';
import { paiementsRoutes } from './paiements/routes.ts';
import { profilRoutes } from './profil/routes.ts';
import { separationRoutes } from './separation/routes.ts';

/** The journeys under `/mon-compte`: each one a folder named after its URL (ADR 0010). */
export const monCompteJourneys = [
  monCompteRoutes,
  foyerRoutes,
  separationRoutes,
  coordonneesBancairesRoutes,
  profilRoutes,
  paiementsRoutes,
  courriersRoutes,
  attestationsRoutes,
  documentsRoutes,
  changementAdresseRoutes,
  declarationTrimestrielleRoutes,
  demarchesRoutes,
] as const;

/**
 * `/mon-compte/*`: one encapsulated scope, child of the personal scope (ADR 0006), whose one
 * guard sends anonymous visitors to /connexion before any handler runs; a page added here
 * cannot escape it (test/integration/authenticated-area.test.ts walks the route table).
 */
export async function authenticatedArea(app: FastifyInstance, opts: { services: UseCases }) {
  app.addHook('preHandler', requirePrincipal());
  for (const journey of monCompteJourneys) await app.register(journey, opts);
}
