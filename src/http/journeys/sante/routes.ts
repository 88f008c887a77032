import type { FastifyInstance } from 'fastify';
import type { Services } from '#src/services/index.ts';
import { paths } from '../../paths.ts';

/** Liveness and database reachability, for load balancers and docker-compose. */
export async function santeRoutes(app: FastifyInstance, opts: { services: Services }) {
  app.get(paths.sante, async (_request, reply) => {
    try {
      await opts.services.pool.query('SELECT 1');
      return await reply.send({ status: 'ok' });
    } catch {
      return reply.code(503).send({ status: 'database-unavailable' });
    }
  });
}
