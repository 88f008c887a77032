import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  authenticatedArea,
  developmentArea,
  publicArea,
  santeRoutes,
  serveurVocalRoutes,
} from './http/journeys/index.ts';
import { agentsArea } from './http/journeys/agents-area.ts';
import { paths } from './http/paths.ts';
import { cacheableCookieGuard } from './http/plugins/cacheable-cookie-guard.ts';
import { cacheControl } from './http/plugins/cache-control.ts';
import { csrfProtection } from './http/plugins/csrf.ts';
import { draining } from './http/plugins/draining.ts';
import { clientErrorHandler, errorPages } from './http/plugins/errors.ts';
import { hostPin } from './http/plugins/host-pin.ts';
import { maintenanceMode } from './http/plugins/maintenance.ts';
import { routeTable } from './http/plugins/route-table.ts';
import { sameOrigin } from './http/plugins/same-origin.ts';
import { securityHeaders } from './http/plugins/security-headers.ts';
import { sessionPlugin } from './http/plugins/session.ts';
import { staticAssets } from './http/plugins/static-assets.ts';
import { views } from './http/plugins/views.ts';
import type { Deps } from './services/deps.ts';
import { buildUseCases, type UseCases } from './services/use-cases.ts';

export async function buildApp(deps: Deps): Promise<FastifyInstance> {
  const services = buildUseCases(deps);
  const { config } = services;
  const production = config.env === 'production';
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: false,
    bodyLimit: 64 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    clientErrorHandler,
    // http/plugins/draining.ts answers requests arriving while the server drains (French 503).
    return503OnClosing: false,
  });

  await app.register(routeTable);
  await app.register(securityHeaders, {
    secure: config.secureCookies,
    // Our forms redirect to FranceConnect (login, logout): Chromium checks form-action on redirects.
    formActionSources: () => services.franceConnect.formActionSources(),
  });
  await app.register(cacheControl);
  // At the root: every connection, static files and /sante included, closes once drained.
  await app.register(draining);
  await app.register(cacheableCookieGuard);
  await app.register(hostPin, { publicUrl: production ? config.publicUrl : undefined });
  // ADR 0006: static files and the health check live outside the session's scope.
  await app.register(staticAssets, { prefix: paths.staticPrefix.slice(0, -1) });
  await app.register(santeRoutes, { services });
  // Issue 10: the voice server's JSON API, outside the session's scope; closed without a token.
  const voiceToken = config.phone.voiceServerToken;
  if (voiceToken) await app.register(serveurVocalRoutes, { services, token: voiceToken });
  let personal: FastifyInstance | null = null;
  await app.register(async (scope) => {
    personal = scope;
    await personalScope(scope, { services });
  });
  exposeSessionCodec(app, personal);
  // The agents' console: a realm of its own (cookie, session rows), never the personal scope's.
  await app.register(agentsArea, { services, prefix: '/agents' });
  return app;
}

/** The session cookie's codec, without its hooks, on the root: tests and tools read cookies. */
function exposeSessionCodec(app: FastifyInstance, scope: FastifyInstance | null) {
  if (!scope) throw new Error('personal scope not registered');
  app.decorate('createSecureSession', scope.createSecureSession.bind(scope));
  app.decorate('encodeSecureSession', scope.encodeSecureSession.bind(scope));
  app.decorate('decodeSecureSession', scope.decodeSecureSession.bind(scope));
}

/** Every page and form: the only scope where the session cookie is read, checked and written. */
async function personalScope(app: FastifyInstance, opts: { services: UseCases }) {
  const { services } = opts;
  const { config } = services;
  const development = config.env === 'development';
  await app.register(formbody);
  await app.register(sessionPlugin, { services });
  // After the session: its onSend hooks, which write the cookie, run before this one.
  await app.register(cacheableCookieGuard);
  await app.register(sameOrigin, { publicUrl: config.publicUrl });
  await app.register(csrfProtection);
  await app.register(views, { development });
  await app.register(errorPages);
  // ADR 0012: after the session (the page's CSRF context), before every page of the scope.
  await app.register(maintenanceMode, { services });

  app.get(paths.accueil, async (request, reply) =>
    reply.redirect(request.principal ? paths.monCompte : paths.connexion, 303),
  );
  await app.register(publicArea, { services });
  // /mon-compte/*: one guard for every page (http/journeys/authenticated-area.ts).
  await app.register(authenticatedArea, { services });
  // The outbox page shows every message sent: never in production.
  if (config.env !== 'production') await app.register(developmentArea, { services });
}
