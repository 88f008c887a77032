import type { FastifyInstance } from 'fastify';
import { agentMay } from '#src/domain/agent-access.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

/** The console's home: what this agent's role opens (the matrix decides each link). */
export async function accueilRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const production = opts.services.config.env === 'production';
  app.get(inScope(agentPaths.accueil), async (request, reply) => {
    const agent = agentOf(request);
    return agentPage(reply, 'pages/agents/accueil.njk', {
      may: {
        lookup: agentMay(agent.role, 'lookup'),
        testDossiers: !production && agentMay(agent.role, 'test-dossiers'),
        supervise: agentMay(agent.role, 'supervise'),
      },
    });
  });
}
