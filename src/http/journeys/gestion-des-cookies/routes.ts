import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /gestion-des-cookies: Gestion des cookies (an information page, the same for everyone). */
export async function gestionDesCookiesRoutes(app: FastifyInstance) {
  app.get(paths.gestionDesCookies, async (_request, reply) =>
    reply.page('pages/gestion-des-cookies/index.njk'),
  );
}
