import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentPrincipal } from '#src/domain/agent-access.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, incidentPaths, inScope } from '../../../agent-paths.ts';
import { fieldError, formErrors, formValues, type FormErrors } from '../../../forms.ts';
import { moment, optionalMoment } from '../../../moment-fields.ts';
import { formatParisDateTime as at } from '../../../paris-time.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const VIEWS = 'pages/agents/incidents';
const incidentActions = ['revoquer-sessions', 'annuler-demarches', 'notifier', 'clore'] as const;
type IncidentAction = (typeof incidentActions)[number];
const idParam = z.object({ id: z.string().regex(/^[0-9]{1,18}$/) });
const actionParam = idParam.extend({ action: z.enum(incidentActions) });
const declareForm = z.object({
  debut: moment('le début de la période'),
  fin: optionalMoment('la fin de la période'),
  description: z
    .string({ error: 'Décrivez l’incident.' })
    .trim()
    .min(1, 'Décrivez l’incident.')
    .max(2000, 'La description ne peut dépasser 2 000 caractères.'),
});
const DECLARE_FIELDS = ['debut', 'fin', 'description'];

/** Each action's button, confirmation, and result (`n`: how many things it did). */
export const incidentWording: Readonly<
  Record<
    IncidentAction,
    { label: string; confirm: string; done: (n: number) => string; nothing: string }
  >
> = {
  'revoquer-sessions': {
    label: 'Fermer les sessions de la période',
    confirm:
      'Toutes les sessions ouvertes pendant la période seront fermées, sur chaque instance, à leur prochaine requête.',
    done: (n) => `${String(n)} session(s) fermée(s).`,
    nothing: 'Aucune session de la période n’était encore ouverte : rien de plus n’a été fait.',
  },
  'annuler-demarches': {
    label: 'Annuler les démarches de la période',
    confirm:
      'Chaque démarche faite pendant la période sera annulée, et son auteur prévenu avec le motif.',
    done: (n) => `${String(n)} démarche(s) annulée(s), leurs auteurs prévenus.`,
    nothing: 'Aucune démarche de la période n’était à annuler : rien de plus n’a été fait.',
  },
  notifier: {
    label: 'Prévenir les personnes à contacter',
    confirm: 'Chaque personne exposée ou ayant vu des données d’autrui sera prévenue une fois.',
    done: (n) => `${String(n)} personne(s) prévenue(s).`,
    nothing: 'Toutes les personnes à contacter étaient déjà prévenues : rien de plus n’a été fait.',
  },
  clore: {
    label: 'Clore l’incident',
    confirm: 'Plus aucune action ne sera possible sur cet incident.',
    done: () => 'L’incident est clos.',
    nothing: 'L’incident était déjà clos : rien de plus n’a été fait.',
  },
};

/** The action's count of things done; null: the incident is closed (or unknown). */
async function run(
  s: UseCases['agents'],
  agent: AgentPrincipal,
  id: string,
  action: IncidentAction,
): Promise<number | 'closed' | 'unknown'> {
  const refused = (r: { ok: false; reason: 'unknown' | 'closed' } | null) => {
    if (!r) throw new ForbiddenError();
    return action === 'clore' && r.reason === 'closed' ? 0 : r.reason;
  };
  switch (action) {
    case 'revoquer-sessions': {
      const r = await s.incidents.revokeSessions(agent, id);
      return r?.ok ? r.revoked : refused(r);
    }
    case 'annuler-demarches': {
      const r = await s.incidents.cancelDemarches(agent, id);
      return r?.ok ? r.cancelled : refused(r);
    }
    case 'notifier': {
      const r = await s.incidents.notify(agent, id);
      return r?.ok ? r.sent : refused(r);
    }
    case 'clore': {
      const r = await s.incidents.close(agent, id);
      return r?.ok ? 1 : refused(r);
    }
  }
}

/**
 * Superviseurs: incident response (issue 10) — the list, a declaration, an incident's report
 * (the numbers of `npm run agent -- incident rapport`), its actions behind a confirmation, and
 * the CNIL facts to download. The services of the command line, the agent as the audit's actor.
 */
export async function incidentsRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services.agents;

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { status?: number; errors?: FormErrors; values?: Record<string, string> } = {},
  ) => {
    const incidents = await s.incidents.list(agentOf(request));
    if (!incidents) throw new ForbiddenError();
    return agentPage(reply.code(extra.status ?? 200), `${VIEWS}/liste.njk`, {
      incidents: incidents.map((i) => ({
        href: incidentPaths.page(i.id),
        id: i.id,
        description: i.description,
        start: at(i.startsAt),
        end: at(i.endsAt),
        closed: i.closedAt !== null,
      })),
      errors: extra.errors,
      values: extra.values ?? {},
    });
  };

  app.get(inScope(agentPaths.incidents), async (request, reply) => listPage(request, reply));

  app.post(inScope(agentPaths.incidents), async (request, reply) => {
    const values = formValues(request.body, DECLARE_FIELDS);
    const parsed = declareForm.safeParse(request.body ?? {});
    if (!parsed.success)
      return listPage(request, reply, {
        status: 400,
        errors: formErrors(parsed.error, DECLARE_FIELDS),
        values,
      });
    const { debut, fin, description } = parsed.data;
    const r = await s.incidents.declare(agentOf(request), {
      startsAt: debut,
      endsAt: fin,
      description,
    });
    if (!r) throw new ForbiddenError();
    if (!r.ok)
      return listPage(request, reply, {
        status: 400,
        errors: fieldError(
          fin ? 'fin' : 'debut',
          fin
            ? 'La fin de la période doit suivre son début.'
            : 'Le début de la période doit être passé.',
        ),
        values,
      });
    return reply.redirect(incidentPaths.page(r.incident.id), 303);
  });

  const notFound = (reply: FastifyReply) => {
    reply.callNotFound();
    return reply;
  };

  app.get(inScope(`${agentPaths.incidents}/:id`), async (request, reply) => {
    const parsed = idParam.safeParse(request.params);
    if (!parsed.success) return notFound(reply);
    const { id } = parsed.data;
    const report = await s.incidents.report(agentOf(request), id);
    if (report === null) return notFound(reply);
    const q = z
      .object({ fait: z.enum(incidentActions).optional(), n: z.coerce.number().int().min(0) })
      .partial()
      .catch({})
      .parse(request.query ?? {});
    const notice =
      q.fait === undefined
        ? null
        : q.n === undefined || q.n === 0
          ? incidentWording[q.fait].nothing
          : incidentWording[q.fait].done(q.n);
    const i = report.incident;
    const names = (ps: readonly { name: string }[]) => ps.map((p) => p.name).join(', ') || '—';
    return agentPage(reply, `${VIEWS}/incident.njk`, {
      r: report,
      start: at(i.startsAt),
      end: at(i.endsAt),
      declared: at(i.declaredAt),
      closed: i.closedAt ? at(i.closedAt) : null,
      sessionNames: names(report.sessions.persons),
      exposed: report.displays.exposedDossiers.map((d) => ({
        number: d.dossierNumber ?? '(aucun)',
        displays: d.displays,
        viewers: names(d.viewers),
        categories: d.categories.join(', '),
      })),
      demarches: report.demarches.map((d) => ({ ...d, at: at(d.createdAt) })),
      notice,
      closedNotice: z.object({ clos: z.string() }).safeParse(request.query).success,
      actions: i.closedAt
        ? []
        : incidentActions.map((a) => ({
            href: incidentPaths.action(id, a),
            label: incidentWording[a].label,
          })),
      pdf: incidentPaths.cnil(id, 'pdf'),
      json: incidentPaths.cnil(id, 'json'),
    });
  });

  for (const format of ['pdf', 'json'] as const) {
    app.get(inScope(`${agentPaths.incidents}/:id/cnil.${format}`), async (request, reply) => {
      const parsed = idParam.safeParse(request.params);
      if (!parsed.success) return notFound(reply);
      const docs = await s.incidents.cnil(agentOf(request), parsed.data.id);
      if (docs === null) return notFound(reply);
      const name = `incident-${parsed.data.id}-cnil.${format}`;
      void reply
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="${name}"`)
        .type(format === 'pdf' ? 'application/pdf' : 'application/json; charset=utf-8');
      return format === 'pdf' ? docs.pdf : `${JSON.stringify(docs.facts, null, 2)}\n`;
    });
  }

  app.get(inScope(`${agentPaths.incidents}/:id/:action`), async (request, reply) => {
    const parsed = actionParam.safeParse(request.params);
    if (!parsed.success) return notFound(reply);
    const { id, action } = parsed.data;
    if ((await s.incidents.report(agentOf(request), id)) === null) return notFound(reply);
    return agentPage(reply, `${VIEWS}/confirmer.njk`, {
      wording: incidentWording[action],
      action: incidentPaths.action(id, action),
      back: incidentPaths.page(id),
    });
  });

  app.post(inScope(`${agentPaths.incidents}/:id/:action`), async (request, reply) => {
    const parsed = actionParam.safeParse(request.params);
    if (!parsed.success) return notFound(reply);
    const { id, action } = parsed.data;
    const n = await run(s, agentOf(request), id, action);
    if (n === 'unknown') return notFound(reply);
    if (n === 'closed') return reply.redirect(`${incidentPaths.page(id)}?clos=1`, 303);
    return reply.redirect(`${incidentPaths.page(id)}?fait=${action}&n=${String(n)}`, 303);
  });
}
