import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { agentMay, type AgentAction } from '#src/domain/agent-access.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { AGENTS_PREFIX, agentPaths } from '../agent-paths.ts';
import { agentSessionPlugin } from '../plugins/agent-session.ts';
import { cacheableCookieGuard } from '../plugins/cacheable-cookie-guard.ts';
import { csrfProtection } from '../plugins/csrf.ts';
import { ForbiddenError, errorPages } from '../plugins/errors.ts';
import { sameOrigin } from '../plugins/same-origin.ts';
import { views } from '../plugins/views.ts';
import { accueilRoutes } from './agents/accueil/routes.ts';
import { agentConnexionRoutes } from './agents/connexion/routes.ts';
import { dossiersDeTestRoutes } from './agents/dossiers-de-test/routes.ts';
import { equipeRoutes } from './agents/equipe/routes.ts';
import { incidentsRoutes } from './agents/incidents/routes.ts';
import { maintenanceRoutes } from './agents/maintenance/routes.ts';
import { personnesRoutes } from './agents/personnes/routes.ts';
import { rechercheRoutes } from './agents/recherche/routes.ts';

/**
 * Which matrix action each /agents route needs (`open`: the login pages). A route missing here
 * is refused to everyone (test/integration/agents-access.test.ts walks the route table).
 */
export const agentRouteActions: Readonly<Record<string, AgentAction | 'open'>> = {
  '/agents/connexion': 'open',
  '/agents/connexion/code': 'open',
  '/agents/deconnexion': 'open',
  '/agents': 'home',
  '/agents/': 'home',
  '/agents/recherche': 'lookup',
  '/agents/personnes/:id/motif': 'lookup',
  '/agents/personnes/:id': 'lookup',
  '/agents/personnes/:id/:action': 'intervene',
  '/agents/personnes/:id/attribuer-nir': 'assign-nir',
  '/agents/dossiers-de-test': 'test-dossiers',
  '/agents/dossiers-de-test/:key/reinitialiser': 'test-dossiers',
  '/agents/dossiers-de-test/foyers': 'test-dossiers',
  '/agents/equipe': 'supervise',
  '/agents/maintenance': 'supervise',
  '/agents/maintenance/activer': 'supervise',
  '/agents/maintenance/planifier': 'supervise',
  '/agents/maintenance/desactiver': 'supervise',
  '/agents/incidents': 'supervise',
  '/agents/incidents/:id': 'supervise',
  '/agents/incidents/:id/:action': 'supervise',
  '/agents/incidents/:id/cnil.pdf': 'supervise',
  '/agents/incidents/:id/cnil.json': 'supervise',
  '/agents/equipe/:agent/desactiver': 'supervise',
};

const REFUSAL = {
  title: 'Page réservée',
  message:
    'Cette page de la console n’est pas ouverte à votre rôle. Demandez à un superviseur si vous en avez besoin.',
};

function guard() {
  return async function agentGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.routeOptions.url;
    // The 404 handler (no route): the not-found page, which shows nothing of anyone.
    if (url === undefined) return;
    const action = agentRouteActions[url];
    if (action === 'open') return;
    if (!request.agent) {
      await reply.redirect(agentPaths.connexion, 303);
      return;
    }
    if (!action || !agentMay(request.agent.role, action)) throw new ForbiddenError(REFUSAL);
  };
}

/**
 * /agents: the console, a realm of its own beside the personal scope (app.ts). Its own session
 * cookie and rows; the same CSRF, same-origin check, views and error pages as the public side
 * (CSP, no-store and the host pin come from the root). Never reads the public session cookie.
 */
export async function agentsArea(app: FastifyInstance, options: { services: UseCases }) {
  // Only the services go down: the options also carry this scope's prefix, not to be doubled.
  const opts = { services: options.services };
  const { config } = opts.services;
  await app.register(formbody);
  await app.register(agentSessionPlugin, opts);
  await app.register(cacheableCookieGuard);
  await app.register(sameOrigin, { publicUrl: config.publicUrl });
  await app.register(csrfProtection);
  await app.register(views, { development: config.env === 'development' });
  await app.register(errorPages);
  app.addHook('preHandler', guard());
  await app.register(agentConnexionRoutes, opts);
  await app.register(accueilRoutes, opts);
  await app.register(rechercheRoutes, opts);
  await app.register(personnesRoutes, opts);
  await app.register(equipeRoutes, opts);
  await app.register(maintenanceRoutes, opts);
  await app.register(incidentsRoutes, opts);
  // Demo personas and their credentials: never in production, not even a route.
  if (config.env !== 'production') await app.register(dossiersDeTestRoutes, opts);
}

export const agentsPrefix = AGENTS_PREFIX;
