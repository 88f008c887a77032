import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

/** « Dossiers de test » (testeur, superviseur): the demo personas and their credentials. */
export async function dossiersDeTestRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  app.get(inScope(agentPaths.dossiersDeTest), async (request, reply) => {
    const outcome = opts.services.agents.testDossiers(agentOf(request));
    if (!outcome.ok) throw new ForbiddenError();
    return agentPage(reply, 'pages/agents/dossiers-de-test.njk', { personas: outcome.personas });
  });
}
