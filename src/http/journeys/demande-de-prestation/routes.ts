import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /demande-de-prestation: Faire une demande de prestation (an information page, the same for everyone). */
export async function demandeDePrestationRoutes(app: FastifyInstance) {
  app.get(paths.demandeDePrestation, async (_request, reply) =>
    reply.page('pages/demande-de-prestation/index.njk'),
  );
}
