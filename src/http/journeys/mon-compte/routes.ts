import type { FastifyInstance } from 'fastify';
import type { Services } from '#src/services/index.ts';
import { loadMonCompte } from '#src/services/mon-compte.ts';
import { paths } from '../../paths.ts';
import { principalOf } from '../../plugins/session.ts';

/** /mon-compte: the person's own data and every dossier they belong to, as the matrix allows. */
export async function monCompteRoutes(app: FastifyInstance, opts: { services: Services }) {
  const s = opts.services;

  app.get(paths.monCompte, async (request, reply) => {
    const view = await loadMonCompte(s, principalOf(request), paths.monCompte);
    if (!view) throw new Error('principal without a person row');
    return reply.page('pages/mon-compte/index.njk', { view });
  });
}
