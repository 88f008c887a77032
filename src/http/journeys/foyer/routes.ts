import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isRefusal } from '#src/services/dossier-access.ts';
import type { HouseholdRefusal } from '#src/services/household.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { type FormErrors, fieldError, formErrors, formValues, withFieldIds } from '../../forms.ts';
import { publicOrigin } from '../../franceconnect-offer.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';
import { contactForm } from '../../steps/contact.ts';

const TEMPLATE = 'pages/foyer/index.njk';

const memberField = z.uuid({ error: 'Membre du foyer inconnu.' });
const invitationTarget = z.object({
  membre: memberField,
  channel: z.enum(['email', 'sms', 'courrier'], {
    error: 'Choisissez comment envoyer l’invitation.',
  }),
});

/** Courrier goes to the household address; e-mail and SMS need a valid destination. */
function parseInvitation(body: unknown) {
  const target = invitationTarget.safeParse(body);
  if (!target.success) return target;
  if (target.data.channel === 'courrier') {
    return {
      success: true as const,
      data: { ...target.data, channel: 'courrier' as const, destination: null },
    };
  }
  const contact = contactForm.safeParse(body);
  if (!contact.success) return contact;
  return { success: true as const, data: { membre: target.data.membre, ...contact.data } };
}

const INVITATION_FIELDS = ['membre', 'channel', 'email', 'phone'] as const;

/**
 * A failed invitation, re-rendered in its member's form: the values kept, each error beside its
 * field, whose id carries the member's (the page has one form per member).
 */
function failedInvitation(body: unknown, errors: FormErrors) {
  const values = formValues(body, ['membre', 'channel', 'email', 'phone']);
  const membre = values.membre ?? '';
  const known = memberField.safeParse(membre).success;
  const idOf = (name: string) => {
    if (!known) return 'contenu';
    if (name === 'channel') return `canal-email-${membre}`;
    if (name === 'email' || name === 'phone') return `${name}-${membre}`;
    return `membre-${membre}-titre`;
  };
  return { invitation: { membre, values, errors: withFieldIds(errors, idOf) } };
}

const delegationForm = z.object({ membre: memberField, action: z.enum(['accorder', 'retirer']) });

const refusalMessages: Record<Exclude<HouseholdRefusal, 'forbidden' | 'no-dossier'>, string> = {
  'not-member': 'Cette personne ne fait pas partie de votre foyer, ou a déjà un compte.',
  'too-young': 'Un compte personnel ne peut être créé qu’à partir de 15 ans.',
  'has-account': 'Cette personne a déjà un compte personnel.',
};

/** /mon-compte/foyer: the household's members and, for the allocataire, invitations and delegations. */
export async function foyerRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  /** The page; with a form's errors, only for whom that form's action is open (the service says). */
  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
    action: 'dossier-summary' | 'manage-delegations' = 'dossier-summary',
  ) {
    const page = await s.household.loadFoyer(
      principalOf(request),
      dossiersOf(request),
      paths.foyer,
      action,
    );
    if (!page.ok) throw new ForbiddenError();
    const { household, members, manager } = page;
    return reply.page(TEMPLATE, { household, members, manager, ...extra });
  }

  app.get(paths.foyer, async (request, reply) => render(request, reply));

  /** The service refused the member: 403 for the matrix, else the reason beside the field. */
  async function refused(request: FastifyRequest, reply: FastifyReply, reason: HouseholdRefusal) {
    if (isRefusal(reason)) throw new ForbiddenError();
    const failed = failedInvitation(request.body, fieldError('membre', refusalMessages[reason]));
    return render(
      request,
      reply.code(400),
      { ...failed, errors: failed.invitation.errors },
      'manage-delegations',
    );
  }

  app.post(paths.foyerInvitation, async (request, reply) => {
    const principal = principalOf(request);
    const form = parseInvitation(request.body);
    if (!form.success) {
      const failed = failedInvitation(request.body, formErrors(form.error, INVITATION_FIELDS));
      return render(
        request,
        reply.code(400),
        { ...failed, errors: failed.invitation.errors },
        'manage-delegations',
      );
    }
    const result = await s.household.invite(principal, {
      memberId: form.data.membre,
      channel: form.data.channel,
      destination: form.data.destination,
      activationUrl: publicOrigin(s, request) + paths.activerMonCompte,
    });
    if (!result.ok) return refused(request, reply, result.reason);
    return render(request, reply, {
      success: `Invitation envoyée à ${result.member.givenName} ${form.data.channel === 'courrier' ? 'par courrier' : form.data.channel === 'sms' ? 'par SMS' : 'par courriel'}.`,
    });
  });

  app.post(paths.foyerDelegation, async (request, reply) => {
    const principal = principalOf(request);
    const form = delegationForm.safeParse(request.body);
    if (!form.success)
      return render(
        request,
        reply.code(400),
        {
          errors: formErrors(form.error, ['membre', 'action']),
        },
        'manage-delegations',
      );
    const grant = form.data.action === 'accorder';
    const result = await s.household.changeDelegation(principal, form.data.membre, grant);
    if (!result.ok) return refused(request, reply, result.reason);
    return render(request, reply, {
      success: `${grant ? 'Délégation accordée à' : 'Délégation retirée à'} ${result.member.givenName}. Les deux personnes sont prévenues.`,
    });
  });
}
