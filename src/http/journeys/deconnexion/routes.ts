import type { FastifyInstance } from 'fastify';
import type { Services } from '#src/services/index.ts';
import { closeSession } from '#src/services/sessions.ts';
import { paths } from '../../paths.ts';
import { franceConnectLogoutUrl } from '../franceconnect/logout.ts';

export async function deconnexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { pool } = opts.services;

  app.get(paths.deconnexion, async (_request, reply) => reply.page('pages/deconnexion/index.njk'));

  app.post(paths.deconnexion, async (request, reply) => {
    // Revoked server-side first: a copy of the cookie is worthless from now on.
    const principal = request.principal;
    if (principal) await closeSession(pool, principal);
    request.principal = null;
    // Opened through FranceConnect: on to the provider's logout (its state is checked on return).
    const providerLogout = principal
      ? await franceConnectLogoutUrl(opts.services, request, principal)
      : null;
    if (providerLogout) return reply.redirect(providerLogout, 303);
    request.session.delete();
    return reply.redirect(paths.deconnexion, 303);
  });
}
