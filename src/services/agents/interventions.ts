import { withTransaction } from '#src/db/pool.ts';
import {
  clearThrottlesOf,
  letterDossierOf,
  mustChangePassword,
  setMustChangePassword,
  setSuspended,
} from '#src/db/repositories/agent-lookup.ts';
import { recordAgentAudit } from '#src/db/repositories/agents.ts';
import { lockPersonRow, type PersonRow } from '#src/db/repositories/persons.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import { hasAccount } from '#src/db/repositories/accounts.ts';
import { insertInvitation } from '#src/db/repositories/invitations.ts';
import { ageOn } from '#src/domain/access.ts';
import {
  generateInvitationCode,
  hashInvitationCode,
  INVITATION_TTL_MS,
} from '#src/domain/invitation.ts';
import { displayName } from '#src/domain/names.ts';
import {
  agentMay,
  type AgentPrincipal,
  type ConsultationReason,
  type Intervention,
} from '#src/domain/agent-access.ts';
import type { Deps } from '../deps.ts';
import { canHaveAccount } from '../household.ts';
import { notify } from '../notices.ts';
import { assignNir, type AssignNirResult } from '../provisional-id.ts';
import { throttleSubjectsOf } from './lookup.ts';

export type InterventionOutcome =
  /** `changed`: false when there was nothing to do (already unlocked, already suspended…). */
  | { readonly ok: true; readonly changed: boolean }
  | {
      readonly ok: false;
      /** `no-letter`: no NIR, no dossier to write to, or too young for an account. */
      readonly reason: 'forbidden' | 'not-found' | 'no-account' | 'no-letter';
    };

/** What the person is told, when the intervention changes what they can do. */
const notices: Readonly<Record<Intervention, { subject: string; text: string }>> = {
  deverrouiller: {
    subject: 'Connexion à Mon Compte débloquée',
    text: 'Un conseiller de la Caf a débloqué la connexion à votre compte, à votre demande. Vous pouvez vous connecter à nouveau.',
  },
  'fermer-sessions': {
    subject: 'Vos connexions à Mon Compte ont été fermées',
    text: 'Un conseiller de la Caf a fermé toutes vos connexions à Mon Compte. Connectez-vous à nouveau sur chacun de vos appareils.',
  },
  suspendre: {
    subject: 'Votre compte Mon Compte est suspendu',
    text: 'La Caf a suspendu l’accès à votre compte. Pour en savoir plus, contactez votre Caf au 3230.',
  },
  'lever-suspension': {
    subject: 'Votre compte Mon Compte est rétabli',
    text: 'La Caf a rétabli l’accès à votre compte. Vous pouvez vous connecter à nouveau.',
  },
  'forcer-mot-de-passe': {
    subject: 'Nouveau mot de passe demandé',
    text: 'À votre prochaine connexion à Mon Compte, il vous sera demandé de choisir un nouveau mot de passe.',
  },
  'code-courrier': {
    subject: 'Un code vous est envoyé par courrier',
    text: 'Un conseiller de la Caf vous a envoyé un nouveau code par courrier, à l’adresse de votre dossier. Si vous ne l’avez pas demandé, contactez votre Caf au 3230.',
  },
};

/**
 * A new activation code by letter, to the dossier's address (the invitation by letter's code,
 * 30 days): for a person with an account, the same page lets them choose a new password.
 * The code goes into the letter only; the agent never sees it.
 */
async function sendLetterCode(
  s: Deps,
  tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
  agentId: string,
  person: PersonRow,
  activationUrl: string,
): Promise<true | 'no-letter'> {
  if (!person.nir || !canHaveAccount(ageOn(person.birthdate, s.now()))) return 'no-letter';
  const dossier = await letterDossierOf(tx, person.id);
  if (!dossier) return 'no-letter';
  const account = await hasAccount(tx, person.id);
  const destination = `${displayName(person.given_name, person.family_name)}\n${dossier.address}`;
  const code = generateInvitationCode();
  const now = s.now();
  await insertInvitation(tx, {
    dossierId: dossier.id,
    personId: person.id,
    invitedBy: { agent: agentId },
    channel: 'courrier',
    destination,
    codeHash: hashInvitationCode(s.secrets.codes, person.id, code),
    createdAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS.courrier),
  });
  const what = account
    ? 'Vous avez demandé à la Caf un code pour choisir un nouveau mot de passe sur Mon Compte.'
    : `Vous avez demandé à la Caf un code pour créer votre compte personnel sur Mon Compte, l’espace de la Caf (dossier n° ${dossier.number}).`;
  await s.outbox.enqueue(
    tx,
    {
      channel: 'courrier',
      to: destination,
      subject: account
        ? 'Votre code pour choisir un nouveau mot de passe Mon Compte'
        : 'Votre code d’activation Mon Compte',
      text: `Bonjour ${person.given_name},\n\n${what}\n\nRendez-vous sur la page « Activer mon compte » (${activationUrl}) avec votre numéro de sécurité sociale et ce code : ${code}\n\nCe code est valable 30 jours. Ne le communiquez à personne, pas même à un agent de la Caf.`,
    },
    'code',
  );
  return true;
}

async function apply(
  s: Deps,
  tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
  action: Intervention,
  person: PersonRow,
  context: { readonly agentId: string; readonly activationUrl: string },
): Promise<boolean | 'no-account' | 'no-letter'> {
  switch (action) {
    case 'deverrouiller':
      return (
        (await clearThrottlesOf(
          tx,
          throttleSubjectsOf(s, { nir: person.nir, provisionalId: person.provisional_id }),
        )) > 0
      );
    case 'fermer-sessions':
      return (await revokeSessionsOf(tx, person.id, 'agent')) > 0;
    case 'suspendre':
      // Open sessions end at their next request, which shows the suspension page.
      return setSuspended(tx, person.id, true);
    case 'lever-suspension':
      return setSuspended(tx, person.id, false);
    case 'forcer-mot-de-passe':
      if (!(await hasAccount(tx, person.id))) return 'no-account';
      if (await mustChangePassword(tx, person.id)) return false;
      return setMustChangePassword(tx, person.id);
    case 'code-courrier':
      return sendLetterCode(s, tx, context.agentId, person, context.activationUrl);
  }
}

/**
 * One intervention on a person's account, in one transaction: the change, its append-only audit
 * row (agent, person, action, reason) and the notice to the person. Repeating it changes nothing.
 */
export async function intervene(
  s: Deps,
  agent: AgentPrincipal,
  input: {
    personId: string;
    action: Intervention;
    reason: ConsultationReason;
    /** The « Activer mon compte » page on the portal's public origin, for a letter. */
    activationUrl: string;
  },
): Promise<InterventionOutcome> {
  if (!agentMay(agent.role, 'intervene')) return { ok: false, reason: 'forbidden' };
  if (!/^[0-9a-f-]{36}$/.test(input.personId)) return { ok: false, reason: 'not-found' };
  return withTransaction(s.pool, async (tx): Promise<InterventionOutcome> => {
    const person = await lockPersonRow(tx, input.personId);
    if (!person) return { ok: false, reason: 'not-found' };
    const changed = await apply(s, tx, input.action, person, {
      agentId: agent.agentId,
      activationUrl: input.activationUrl,
    });
    if (changed === 'no-account' || changed === 'no-letter') return { ok: false, reason: changed };
    if (changed) {
      await recordAgentAudit(tx, {
        agentId: agent.agentId,
        action: `agent:${input.action}`,
        targetPersonId: person.id,
        reason: input.reason,
      });
      const notice = notices[input.action];
      await notify(
        s,
        person,
        notice.subject,
        `Bonjour ${person.given_name},\n\n${notice.text}`,
        tx,
      );
    }
    return { ok: true, changed };
  });
}

/** The command line's « attribuer-nir », from the console: the same service, plus the audit row. */
export async function assignNirAsAgent(
  s: Deps,
  agent: AgentPrincipal,
  input: { personId: string; nir: string; reason: ConsultationReason },
): Promise<AssignNirResult | { ok: false; reason: 'forbidden' }> {
  if (!agentMay(agent.role, 'assign-nir')) return { ok: false, reason: 'forbidden' };
  return assignNir(s, input.personId, input.nir, async (tx, person) => {
    await recordAgentAudit(tx, {
      agentId: agent.agentId,
      action: 'agent:attribuer-nir',
      targetPersonId: person.id,
      reason: input.reason,
    });
  });
}
