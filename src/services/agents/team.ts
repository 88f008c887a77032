import { withTransaction } from '#src/db/pool.ts';
import {
  disableAgent,
  findAgentById,
  lockAgent,
  recordTeamAudit,
} from '#src/db/repositories/agents.ts';
import { agentMay, type AgentPrincipal } from '#src/domain/agent-access.ts';
import type { Deps } from '../deps.ts';

export type DisableOutcome =
  | { readonly ok: true; readonly changed: boolean }
  | { readonly ok: false; readonly reason: 'forbidden' | 'not-found' | 'self' };

/** The agent a superviseur is about to disable, for the confirmation page. */
export async function teamMember(s: Deps, agent: AgentPrincipal, targetId: string) {
  if (!agentMay(agent.role, 'supervise')) return { ok: false, reason: 'forbidden' } as const;
  const target = await findAgentById(s.pool, targetId);
  if (!target) return { ok: false, reason: 'not-found' } as const;
  return {
    ok: true,
    member: {
      login: target.login,
      name: `${target.givenName} ${target.familyName.toLocaleUpperCase('fr-FR')}`,
      active: target.status === 'active',
      self: target.id === agent.agentId,
    },
  } as const;
}

/**
 * A superviseur disables an agent: no more logins, every open console session ended at its next
 * request; one transaction with its audit row. Never oneself (the last superviseur stays in).
 */
export async function disableTeamMember(
  s: Deps,
  agent: AgentPrincipal,
  targetId: string,
): Promise<DisableOutcome> {
  if (!agentMay(agent.role, 'supervise')) return { ok: false, reason: 'forbidden' };
  if (targetId === agent.agentId) return { ok: false, reason: 'self' };
  return withTransaction(s.pool, async (tx): Promise<DisableOutcome> => {
    if (!(await lockAgent(tx, targetId))) return { ok: false, reason: 'not-found' };
    const changed = await disableAgent(tx, targetId);
    if (changed)
      await recordTeamAudit(tx, {
        agentId: agent.agentId,
        action: 'agent:desactiver-agent',
        targetAgentId: targetId,
      });
    return { ok: true, changed };
  });
}
