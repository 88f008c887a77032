import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /donnees-personnelles: Données personnelles (an information page, the same for everyone). */
export async function donneesPersonnellesRoutes(app: FastifyInstance) {
  app.get(paths.donneesPersonnelles, async (_request, reply) =>
    reply.page('pages/donnees-personnelles/index.njk'),
  );
}
