import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  consultationReasons,
  interventions,
  reasonLabels,
  type ConsultationReason,
  type Intervention,
} from '#src/domain/agent-access.ts';
import { nirErrorMessage } from '#src/domain/nir.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { agentPaths, inScope, personPaths } from '../../../agent-paths.ts';
import { publicOrigin } from '../../../franceconnect-offer.ts';
import { fieldError, formValues, type FormErrors } from '../../../forms.ts';
import { paths } from '../../../paths.ts';
import { ForbiddenError } from '../../../plugins/errors.ts';
import { agentOf, agentPage } from '../../../plugins/agent-session.ts';

const VIEWS = 'pages/agents/personnes';
const idParam = z.object({ id: z.uuid() });
const actionParam = z.object({ id: z.uuid(), action: z.enum(interventions) });
const reasonForm = z.object({ reason: z.enum(consultationReasons) });
const nirForm = z.object({ nir: z.string().trim().min(1).max(40) });

/** The words of each intervention's button, confirmation and result. */
export const interventionWording: Readonly<
  Record<Intervention, { label: string; confirm: string; done: string; nothing: string }>
> = {
  deverrouiller: {
    label: 'Débloquer la connexion',
    confirm:
      'Les compteurs de tentatives et les blocages de connexion de cette personne seront effacés.',
    done: 'La connexion est débloquée.',
    nothing: 'Aucun blocage à lever : rien n’a changé.',
  },
  'fermer-sessions': {
    label: 'Fermer toutes les sessions',
    confirm:
      'Toutes les sessions ouvertes de cette personne seront fermées sur tous ses appareils.',
    done: 'Toutes les sessions sont fermées.',
    nothing: 'Aucune session ouverte : rien n’a changé.',
  },
  suspendre: {
    label: 'Suspendre le compte',
    confirm:
      'La personne ne pourra plus se connecter, par aucun moyen, jusqu’à la levée de la suspension. Ses sessions ouvertes se fermeront.',
    done: 'Le compte est suspendu.',
    nothing: 'Le compte était déjà suspendu.',
  },
  'lever-suspension': {
    label: 'Lever la suspension',
    confirm: 'La personne pourra de nouveau se connecter.',
    done: 'La suspension est levée.',
    nothing: 'Le compte n’était pas suspendu.',
  },
  'forcer-mot-de-passe': {
    label: 'Imposer un nouveau mot de passe',
    confirm: 'À sa prochaine connexion, la personne devra choisir un nouveau mot de passe.',
    done: 'Un nouveau mot de passe sera demandé à la prochaine connexion.',
    nothing: 'Un nouveau mot de passe était déjà demandé.',
  },
  'code-courrier': {
    label: 'Envoyer un nouveau code par courrier',
    confirm:
      'Un nouveau code sera envoyé par courrier à l’adresse du dossier de la personne (valable 30 jours, il remplace le précédent). Avec ce code, sur la page « Activer mon compte », elle crée son compte ou choisit un nouveau mot de passe. Vous ne verrez pas le code.',
    done: 'Un nouveau code part par courrier à l’adresse du dossier.',
    nothing: 'Aucun courrier n’est parti.',
  },
};

/** The open consultation of this agent's cookie: the person and the reason given. */
function consultationOf(request: FastifyRequest, personId: string): ConsultationReason | null {
  const value = request.session.get('consultation');
  if (typeof value !== 'string') return null;
  const [id, reason] = value.split('|');
  const parsed = z.enum(consultationReasons).safeParse(reason);
  return id === personId && parsed.success ? parsed.data : null;
}

/**
 * A person's file: the reason first (kept in the agent's cookie for the file's pages), then the
 * sheet (each display logged), then the interventions, each behind its confirmation page.
 */
export async function personnesRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;
  const reasons = consultationReasons.map((value) => ({ value, label: reasonLabels[value] }));

  const reasonPage = (reply: FastifyReply, id: string, status = 200, errors?: FormErrors) =>
    agentPage(reply.code(status), `${VIEWS}/motif.njk`, {
      reasons,
      action: personPaths.motif(id),
      errors,
    });

  app.get(inScope(`${agentPaths.personnes}/:id/motif`), async (request, reply) => {
    const { id } = idParam.parse(request.params);
    return reasonPage(reply, id);
  });

  app.post(inScope(`${agentPaths.personnes}/:id/motif`), async (request, reply) => {
    const { id } = idParam.parse(request.params);
    const parsed = reasonForm.safeParse(request.body);
    if (!parsed.success)
      return reasonPage(
        reply,
        id,
        400,
        fieldError('reason', 'Choisissez le motif de la consultation.'),
      );
    request.session.set('consultation', `${id}|${parsed.data.reason}`);
    return reply.redirect(personPaths.fiche(id), 303);
  });

  app.get(inScope(`${agentPaths.personnes}/:id`), async (request, reply) => {
    const { id } = idParam.parse(request.params);
    const reason = consultationOf(request, id);
    if (!reason) return reply.redirect(personPaths.motif(id), 303);
    const outcome = await s.agents.openSheet(agentOf(request), {
      personId: id,
      reason,
      route: request.routeOptions.url ?? '',
    });
    if (!outcome.ok) {
      if (outcome.reason === 'forbidden') throw new ForbiddenError();
      reply.callNotFound();
      return reply;
    }
    const fait = z
      .object({
        fait: z.enum(interventions).optional().catch(undefined),
        rien: z.string().optional(),
      })
      .parse(request.query ?? {});
    return agentPage(reply, `${VIEWS}/fiche.njk`, {
      sheet: outcome.sheet,
      reason: reasonLabels[reason],
      interventions: interventions.map((a) => ({
        href: personPaths.intervention(id, a),
        label: interventionWording[a].label,
      })),
      assignNirHref: outcome.sheet.person.nir === null ? personPaths.attribuerNir(id) : null,
      done: fait.fait
        ? fait.rien === undefined
          ? interventionWording[fait.fait].done
          : interventionWording[fait.fait].nothing
        : null,
    });
  });

  const withReason = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const reason = consultationOf(request, id);
    if (!reason) void reply.redirect(personPaths.motif(id), 303);
    return reason;
  };

  const nirPage = (
    reply: FastifyReply,
    id: string,
    status = 200,
    errors?: FormErrors,
    values = {},
  ) =>
    agentPage(reply.code(status), `${VIEWS}/attribuer-nir.njk`, {
      action: personPaths.attribuerNir(id),
      back: personPaths.fiche(id),
      errors,
      values,
    });

  app.get(inScope(`${agentPaths.personnes}/:id/attribuer-nir`), async (request, reply) => {
    const { id } = idParam.parse(request.params);
    if (!withReason(request, reply, id)) return reply;
    return nirPage(reply, id);
  });

  app.post(inScope(`${agentPaths.personnes}/:id/attribuer-nir`), async (request, reply) => {
    const { id } = idParam.parse(request.params);
    const reason = withReason(request, reply, id);
    if (!reason) return reply;
    const values = formValues(request.body, ['nir']);
    const parsed = nirForm.safeParse(request.body);
    if (!parsed.success)
      return nirPage(
        reply,
        id,
        400,
        fieldError('nir', 'Saisissez le numéro de sécurité sociale.'),
        values,
      );
    const result = await s.agents.assignNir(agentOf(request), {
      personId: id,
      nir: parsed.data.nir,
      reason,
    });
    if (result.ok) return reply.redirect(`${personPaths.fiche(id)}?nir=attribue`, 303);
    const message = ((): string => {
      switch (result.reason) {
        case 'forbidden':
          throw new ForbiddenError();
        case 'unknown-person':
          return 'Cette personne n’existe plus.';
        case 'already-has-nir':
          return 'Cette personne a déjà un numéro de sécurité sociale.';
        case 'nir-taken':
          return 'Ce numéro de sécurité sociale appartient déjà à une autre personne.';
        case 'identity-mismatch':
          return 'Ce numéro ne correspond pas à la personne (sexe, année ou mois de naissance).';
        default:
          return nirErrorMessage(result.reason);
      }
    })();
    return nirPage(reply, id, 400, fieldError('nir', message), values);
  });

  app.get(inScope(`${agentPaths.personnes}/:id/:action`), async (request, reply) => {
    const { id, action } = actionParam.parse(request.params);
    if (!withReason(request, reply, id)) return reply;
    return agentPage(reply, `${VIEWS}/confirmer.njk`, {
      wording: interventionWording[action],
      action: personPaths.intervention(id, action),
      back: personPaths.fiche(id),
    });
  });

  app.post(inScope(`${agentPaths.personnes}/:id/:action`), async (request, reply) => {
    const { id, action } = actionParam.parse(request.params);
    const reason = withReason(request, reply, id);
    if (!reason) return reply;
    const outcome = await s.agents.intervene(agentOf(request), {
      personId: id,
      action,
      reason,
      activationUrl: publicOrigin(s, request) + paths.activerMonCompte,
    });
    if (!outcome.ok) {
      if (outcome.reason === 'forbidden') throw new ForbiddenError();
      if (outcome.reason === 'not-found') {
        reply.callNotFound();
        return reply;
      }
      throw new ForbiddenError({
        title: 'Action impossible',
        message:
          outcome.reason === 'no-letter'
            ? 'Aucun code ne peut être envoyé à cette personne : il lui faut un numéro de sécurité sociale, un dossier et au moins 15 ans.'
            : 'Cette personne n’a pas encore de compte personnel : cette action ne s’applique pas.',
      });
    }
    const query = outcome.changed ? `?fait=${action}` : `?fait=${action}&rien=1`;
    return reply.redirect(`${personPaths.fiche(id)}${query}`, 303);
  });
}
