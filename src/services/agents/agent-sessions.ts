import { randomBytes } from 'node:crypto';
import {
  insertAgentSession,
  revokeAgentSession,
  touchLiveAgentSession,
} from '#src/db/repositories/agents.ts';
import type { Queryable } from '#src/db/pool.ts';
import type { AgentPrincipal } from '#src/domain/agent-access.ts';
import { displayName } from '#src/domain/names.ts';
import type { Deps } from '../deps.ts';
import { hashSessionId, type LoginContext } from '../sessions.ts';

/** What the agent cookie carries once signed in. Nothing else in it is trusted. */
export interface AgentClaims {
  readonly sid: string;
  readonly aid: string;
}

/** A new agent session row: the same idle and absolute limits as the public side's. */
export async function openAgentSession(
  s: Deps,
  db: Queryable,
  agentId: string,
  context: LoginContext,
): Promise<AgentClaims> {
  const sid = randomBytes(32).toString('base64url');
  await insertAgentSession(db, {
    idHash: hashSessionId(sid),
    agentId,
    absoluteMs: s.config.session.absoluteMs,
    clientIp: context.clientIp,
    userAgent: context.userAgent?.slice(0, 256) ?? null,
  });
  return { sid, aid: agentId };
}

export async function resolveAgent(s: Deps, claims: AgentClaims): Promise<AgentPrincipal | null> {
  const sessionHash = hashSessionId(claims.sid);
  const live = await touchLiveAgentSession(
    s.pool,
    sessionHash,
    claims.aid,
    s.config.session.idleMs,
  );
  if (!live) return null;
  return {
    agentId: live.agentId,
    displayName: displayName(live.givenName, live.familyName),
    role: live.role,
    sessionHash,
  };
}

export async function closeAgentSession(s: Deps, agent: AgentPrincipal): Promise<void> {
  await revokeAgentSession(s.pool, agent.sessionHash, 'deconnexion');
}
