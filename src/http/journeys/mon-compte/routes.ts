import type { FastifyInstance } from 'fastify';
import type { Services } from '#src/services/index.ts';
import { loadMonCompte } from '#src/services/mon-compte.ts';
import { paths } from '../../paths.ts';
import { principalOf, requirePrincipal } from '../../plugins/session.ts';

export async function monCompteRoutes(app: FastifyInstance, opts: { services: Services }) {
  const { pool, now } = opts.services;

  app.get(paths.monCompte, { preHandler: requirePrincipal }, async (request, reply) => {
    const principal = principalOf(request);
    const view = await loadMonCompte(pool, principal, paths.monCompte, now());
    if (!view) throw new Error('principal without a person row');
    return reply.page('pages/mon-compte/index.njk', { view });
  });
}
