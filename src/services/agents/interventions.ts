import { withTransaction } from '#src/db/pool.ts';
import {
  clearThrottlesOf,
  mustChangePassword,
  setMustChangePassword,
  setSuspended,
} from '#src/db/repositories/agent-lookup.ts';
import { recordAgentAudit } from '#src/db/repositories/agents.ts';
import { lockPersonRow, type PersonRow } from '#src/db/repositories/persons.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import { hasAccount } from '#src/db/repositories/accounts.ts';
import {
  agentMay,
  type AgentPrincipal,
  type ConsultationReason,
  type Intervention,
} from '#src/domain/agent-access.ts';
import type { Deps } from '../deps.ts';
import { notify } from '../notices.ts';
import { assignNir, type AssignNirResult } from '../provisional-id.ts';
import { throttleSubjectsOf } from './lookup.ts';

export type InterventionOutcome =
  /** `changed`: false when there was nothing to do (already unlocked, already suspended…). */
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly reason: 'forbidden' | 'not-found' | 'no-account' };

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
};

async function apply(
  s: Deps,
  tx: Parameters<Parameters<typeof withTransaction>[1]>[0],
  action: Intervention,
  person: PersonRow,
): Promise<boolean | 'no-account'> {
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
  }
}

/**
 * One intervention on a person's account, in one transaction: the change, its append-only audit
 * row (agent, person, action, reason) and the notice to the person. Repeating it changes nothing.
 */
export async function intervene(
  s: Deps,
  agent: AgentPrincipal,
  input: { personId: string; action: Intervention; reason: ConsultationReason },
): Promise<InterventionOutcome> {
  if (!agentMay(agent.role, 'intervene')) return { ok: false, reason: 'forbidden' };
  if (!/^[0-9a-f-]{36}$/.test(input.personId)) return { ok: false, reason: 'not-found' };
  return withTransaction(s.pool, async (tx): Promise<InterventionOutcome> => {
    const person = await lockPersonRow(tx, input.personId);
    if (!person) return { ok: false, reason: 'not-found' };
    const changed = await apply(s, tx, input.action, person);
    if (changed === 'no-account') return { ok: false, reason: 'no-account' };
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
