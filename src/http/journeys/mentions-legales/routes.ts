import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /mentions-legales: Mentions légales (an information page, the same for everyone). */
export async function mentionsLegalesRoutes(app: FastifyInstance) {
  app.get(paths.mentionsLegales, async (_request, reply) =>
    reply.page('pages/mentions-legales/index.njk'),
  );
}
