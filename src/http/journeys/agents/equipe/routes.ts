import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const agentParam = z.object({ agent: z.uuid() });
const done = z.object({ fait: z.literal('desactive').optional().catch(undefined) });
const disablePath = (id: string) => `${agentPaths.equipe}/${id}/desactiver`;

/** Superviseurs: the console's agents, their roles and TOTP; disabling one ends their sessions. */
export async function equipeRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  app.get(inScope(agentPaths.equipe), async (request, reply) => {
    const agent = agentOf(request);
    const team = await s.agents.team(agent);
    if (!team) throw new ForbiddenError();
    return agentPage(reply, 'pages/agents/equipe.njk', {
      team: team.map((a) => ({
        login: a.login,
        name: `${a.givenName} ${a.familyName.toLocaleUpperCase('fr-FR')}`,
        role: a.role,
        status: a.status,
        enrolled: a.totpEnrolledAt !== null,
        disableHref: a.status === 'active' && a.id !== agent.agentId ? disablePath(a.id) : null,
      })),
      disabled: done.parse(request.query ?? {}).fait !== undefined,
    });
  });

  app.get(inScope(`${agentPaths.equipe}/:agent/desactiver`), async (request, reply) => {
    const parsed = agentParam.safeParse(request.params);
    const found = parsed.success
      ? await s.agents.teamMember(agentOf(request), parsed.data.agent)
      : ({ ok: false, reason: 'not-found' } as const);
    if (!found.ok) {
      if (found.reason === 'forbidden') throw new ForbiddenError();
      reply.callNotFound();
      return reply;
    }
    return agentPage(reply, 'pages/agents/desactiver-agent.njk', {
      member: found.member,
      action: disablePath(parsed.data?.agent ?? ''),
    });
  });

  app.post(inScope(`${agentPaths.equipe}/:agent/desactiver`), async (request, reply) => {
    const parsed = agentParam.safeParse(request.params);
    if (!parsed.success) {
      reply.callNotFound();
      return reply;
    }
    const outcome = await s.agents.disableTeamMember(agentOf(request), parsed.data.agent);
    if (!outcome.ok) {
      if (outcome.reason === 'not-found') {
        reply.callNotFound();
        return reply;
      }
      throw new ForbiddenError(
        outcome.reason === 'self'
          ? {
              title: 'Action impossible',
              message: 'Vous ne pouvez pas désactiver votre propre compte.',
            }
          : undefined,
      );
    }
    return reply.redirect(`${agentPaths.equipe}?fait=desactive`, 303);
  });
}
