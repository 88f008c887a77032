import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { fieldError, formValues, type FormErrors } from '../../../forms.ts';
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

const FOYERS = `${agentPaths.dossiersDeTest}/foyers`;
const MAX_HOUSEHOLDS = 10_000;
const countForm = z.object({
  nombre: z
    .string()
    .trim()
    .regex(/^\d{1,5}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_HOUSEHOLDS)),
});
const integer = new Intl.NumberFormat('fr-FR');

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

  // « Créer des foyers »: the form, and the latest job's progress (the page refreshes itself
  // while it runs: no script under the CSP).
  const foyersPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status = 200,
    errors?: FormErrors,
    values: Record<string, string> = {},
  ) => {
    const outcome = await s.agents.randomHouseholdsProgress(agentOf(request));
    if (!outcome.ok) throw new ForbiddenError();
    const job = outcome.job;
    const state = !job ? null : job.finishedAt ? 'done' : job.failedAt ? 'failed' : 'running';
    return agentPage(reply.code(status), 'pages/agents/foyers-aleatoires.njk', {
      action: FOYERS,
      errors,
      values,
      max: integer.format(MAX_HOUSEHOLDS),
      job: job && {
        state,
        created: job.created,
        requested: job.requested,
        createdText: integer.format(job.created),
        requestedText: integer.format(job.requested),
      },
    });
  };

  app.get(inScope(FOYERS), async (request, reply) => foyersPage(request, reply));

  app.post(inScope(FOYERS), async (request, reply) => {
    const values = formValues(request.body, ['nombre']);
    const parsed = countForm.safeParse(request.body);
    if (!parsed.success)
      return foyersPage(
        request,
        reply,
        400,
        fieldError(
          'nombre',
          `Saisissez un nombre de foyers entre 1 et ${integer.format(MAX_HOUSEHOLDS)}.`,
        ),
        values,
      );
    const outcome = await s.agents.startRandomHouseholds(agentOf(request), parsed.data.nombre);
    if (!outcome.ok) {
      if (outcome.reason === 'forbidden') throw new ForbiddenError();
      return foyersPage(
        request,
        reply,
        409,
        fieldError(
          'nombre',
          'Une création de foyers est déjà en cours : attendez qu’elle finisse.',
        ),
        values,
      );
    }
    return reply.redirect(FOYERS, 303);
  });
}
