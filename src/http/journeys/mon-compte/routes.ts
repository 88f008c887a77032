import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { takeConfirmation } from '../../confirmation.ts';
import { paths } from '../../paths.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';

/** /mon-compte: the person's own data and every dossier they belong to, as the matrix allows. */
export async function monCompteRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.monCompte, async (request, reply) => {
    const view = await s.monCompte.load(principalOf(request), dossiersOf(request), paths.monCompte);
    if (!view) throw new Error('principal without a person row');
    return reply.page('pages/mon-compte/index.njk', {
      view,
      confirmation: takeConfirmation(request),
    });
  });
}
