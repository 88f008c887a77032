import type { FastifyInstance } from 'fastify';
import type { Services } from '#src/services/index.ts';
import { closeSession } from '#src/services/sessions.ts';
import { paths } from '../../paths.ts';

export async function deconnexionRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { pool } = opts.services;

  app.get(paths.deconnexion, async (_request, reply) => reply.page('pages/deconnexion/index.njk'));

  app.post(paths.deconnexion, async (request, reply) => {
    // Revoked server-side first: a copy of the cookie is worthless from now on.
    if (request.principal) await closeSession(pool, request.principal);
    request.principal = null;
    request.session.delete();
    return reply.redirect(paths.deconnexion, 303);
  });
}
