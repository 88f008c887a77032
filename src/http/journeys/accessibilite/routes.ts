import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /accessibilite: Déclaration d’accessibilité (an information page, the same for everyone). */
export async function accessibiliteRoutes(app: FastifyInstance) {
  app.get(paths.accessibilite, async (_request, reply) =>
    reply.page('pages/accessibilite/index.njk'),
  );
}
