import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const keyParam = z.object({ key: z.string().regex(/^[a-z0-9-]{1,40}$/) });
const done = z.object({
  fait: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/)
    .optional()
    .catch(undefined),
});

/**
 * « Dossiers de test » (testeur, superviseur; never registered in production): the demo
 * personas, their credentials, and one button each to put a persona back to its seeded state.
 */
export async function dossiersDeTestRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  app.get(inScope(agentPaths.dossiersDeTest), async (request, reply) => {
    const outcome = s.agents.testDossiers(agentOf(request));
    if (!outcome.ok) throw new ForbiddenError();
    const fait = done.parse(request.query ?? {}).fait;
    return agentPage(reply, 'pages/agents/dossiers-de-test.njk', {
      personas: outcome.personas.map((p) => ({
        ...p,
        resetAction: `${agentPaths.dossiersDeTest}/${p.key}/reinitialiser`,
      })),
      reset: outcome.personas.find((p) => p.key === fait) ?? null,
    });
  });

  app.post(inScope(`${agentPaths.dossiersDeTest}/:key/reinitialiser`), async (request, reply) => {
    const parsed = keyParam.safeParse(request.params);
    const outcome = parsed.success
      ? await s.agents.resetPersona(agentOf(request), parsed.data.key)
      : ({ ok: false, reason: 'unknown' } as const);
    if (!outcome.ok) {
      if (outcome.reason === 'forbidden') throw new ForbiddenError();
      reply.callNotFound();
      return reply;
    }
    return reply.redirect(`${agentPaths.dossiersDeTest}?fait=${parsed.data?.key ?? ''}`, 303);
  });
}
