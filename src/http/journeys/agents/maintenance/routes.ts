import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { MaintenanceState } from '#src/domain/maintenance.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope } from '../../../agent-paths.ts';
import { formErrors, formValues, fieldError, type FormErrors } from '../../../forms.ts';
import { formatParisDateTime as formatDateTime } from '../../../paris-time.ts';
import { checked, moment, optionalMoment, optionalText } from '../../../moment-fields.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const TOO_LONG = 'Le message ne peut dépasser 500 caractères.';
const onForm = z.object({
  jusqua: optionalMoment('une date de fin'),
  message: optionalText(500, TOO_LONG),
  terminer: checked,
});
const planForm = z.object({
  debut: moment('la date de début'),
  fin: moment('la date de fin'),
  messagePlan: optionalText(500, TOO_LONG),
  terminerPlan: checked,
});
const ON_FIELDS = ['jusqua', 'message', 'terminer'];
const PLAN_FIELDS = ['debut', 'fin', 'messagePlan', 'terminerPlan'];

const notices: Readonly<Record<string, string>> = {
  activee: 'La maintenance est activée : le site public répond « en maintenance ».',
  planifiee: 'La maintenance est planifiée : un bandeau l’annonce sur chaque page.',
  desactivee: 'La maintenance est désactivée : le site public est ouvert.',
};

function describe(state: MaintenanceState): string {
  switch (state.mode) {
    case 'off':
      return 'Site ouvert : aucune maintenance en cours ni prévue.';
    case 'planned':
      return `Maintenance prévue du ${formatDateTime(state.startsAt)}${state.endsAt ? ` au ${formatDateTime(state.endsAt)}` : ''}.`;
    case 'on':
      return `Site en maintenance depuis le ${formatDateTime(state.startsAt)}${state.endsAt ? `, jusqu’au ${formatDateTime(state.endsAt)}` : ', jusqu’à sa désactivation'}.`;
  }
}

/**
 * Superviseurs: the maintenance switch (ADR 0012), on now, planned, or off — the services of
 * `npm run agent -- maintenance`, the agent as the audit's actor. The console stays up meanwhile.
 */
export async function maintenanceRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services.agents;

  const page = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { status?: number; errors?: FormErrors; values?: Record<string, string> } = {},
  ) => {
    const current = await s.maintenance.state(agentOf(request));
    if (!current) throw new ForbiddenError();
    const { fait } = z
      .object({ fait: z.string().optional() })
      .catch({ fait: undefined })
      .parse(request.query ?? {});
    return agentPage(reply.code(extra.status ?? 200), 'pages/agents/maintenance.njk', {
      mode: current.state.mode,
      description: describe(current.state),
      message: current.message,
      notice: fait ? (notices[fait] ?? null) : null,
      errors: extra.errors,
      values: extra.values ?? {},
    });
  };

  app.get(inScope(agentPaths.maintenance), async (request, reply) => page(request, reply));

  app.post(inScope(`${agentPaths.maintenance}/activer`), async (request, reply) => {
    const parsed = onForm.safeParse(request.body ?? {});
    const values = formValues(request.body, ON_FIELDS);
    if (!parsed.success)
      return page(request, reply, {
        status: 400,
        errors: formErrors(parsed.error, ON_FIELDS),
        values,
      });
    const { jusqua, message, terminer } = parsed.data;
    if (jusqua && jusqua <= new Date())
      return page(request, reply, {
        status: 400,
        errors: fieldError('jusqua', 'La date de fin doit être à venir.'),
        values,
      });
    const done = await s.maintenance.on(agentOf(request), {
      endsAt: jusqua,
      message,
      endSessions: terminer,
    });
    if (!done) throw new ForbiddenError();
    return reply.redirect(`${agentPaths.maintenance}?fait=activee`, 303);
  });

  app.post(inScope(`${agentPaths.maintenance}/planifier`), async (request, reply) => {
    const parsed = planForm.safeParse(request.body ?? {});
    const values = formValues(request.body, PLAN_FIELDS);
    if (!parsed.success)
      return page(request, reply, {
        status: 400,
        errors: formErrors(parsed.error, PLAN_FIELDS),
        values,
      });
    const { debut, fin, messagePlan, terminerPlan } = parsed.data;
    const late =
      debut <= new Date()
        ? fieldError('debut', 'La date de début doit être à venir.')
        : fin <= debut
          ? fieldError('fin', 'La date de fin doit suivre la date de début.')
          : null;
    if (late) return page(request, reply, { status: 400, errors: late, values });
    const done = await s.maintenance.plan(agentOf(request), {
      startsAt: debut,
      endsAt: fin,
      message: messagePlan,
      endSessions: terminerPlan,
    });
    if (!done) throw new ForbiddenError();
    return reply.redirect(`${agentPaths.maintenance}?fait=planifiee`, 303);
  });

  app.post(inScope(`${agentPaths.maintenance}/desactiver`), async (request, reply) => {
    if (!(await s.maintenance.off(agentOf(request)))) throw new ForbiddenError();
    return reply.redirect(`${agentPaths.maintenance}?fait=desactivee`, 303);
  });
}
