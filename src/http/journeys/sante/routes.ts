import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { paths } from '../../paths.ts';

/** Liveness and database reachability, for load balancers and docker-compose. */
export async function santeRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  app.get(paths.sante, async (_request, reply) => {
    if (await opts.services.health.databaseReachable()) return reply.send({ status: 'ok' });
    return reply.code(503).send({ status: 'database-unavailable' });
  });
}
