import type { FastifyInstance } from 'fastify';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

/** Superviseurs: the console's agents, their roles and whether they enrolled their TOTP. */
export async function equipeRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  app.get(inScope(agentPaths.equipe), async (request, reply) => {
    const team = await opts.services.agents.team(agentOf(request));
    if (!team) throw new ForbiddenError();
    return agentPage(reply, 'pages/agents/equipe.njk', {
      team: team.map((a) => ({
        login: a.login,
        name: `${a.givenName} ${a.familyName.toLocaleUpperCase('fr-FR')}`,
        role: a.role,
        status: a.status,
        enrolled: a.totpEnrolledAt !== null,
      })),
    });
  });
}
