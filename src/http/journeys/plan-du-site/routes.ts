import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';

/** /plan-du-site: Plan du site (an information page, the same for everyone). */
export async function planDuSiteRoutes(app: FastifyInstance) {
  app.get(paths.planDuSite, async (_request, reply) => reply.page('pages/plan-du-site/index.njk'));
}
