import type { AgentRole, ConsultationReason } from '#src/domain/agent-access.ts';
import type { Queryable } from '../pool.ts';

export interface AgentRow {
  readonly id: string;
  readonly login: string;
  readonly passwordHash: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly role: AgentRole;
  readonly status: 'active' | 'disabled';
  readonly totpSecret: string | null;
  readonly totpEnrolledAt: Date | null;
  readonly lastTotpStep: number | null;
}

const agentColumns = `id, login, password_hash AS "passwordHash", given_name AS "givenName",
  family_name AS "familyName", role, status, totp_secret AS "totpSecret",
  totp_enrolled_at AS "totpEnrolledAt", last_totp_step::float8 AS "lastTotpStep"`;

export async function findAgentByLogin(db: Queryable, login: string): Promise<AgentRow | null> {
  const r = await db.query<AgentRow>(`SELECT ${agentColumns} FROM agents WHERE login = $1`, [
    login,
  ]);
  return r.rows[0] ?? null;
}

export async function findAgentById(db: Queryable, id: string): Promise<AgentRow | null> {
  const r = await db.query<AgentRow>(`SELECT ${agentColumns} FROM agents WHERE id = $1`, [id]);
  return r.rows[0] ?? null;
}

/** Locks the agent's row: two codes checked at once cannot both take the same time step. */
export async function lockAgent(db: Queryable, id: string): Promise<AgentRow | null> {
  const r = await db.query<AgentRow>(
    `SELECT ${agentColumns} FROM agents WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function listAgents(db: Queryable): Promise<AgentRow[]> {
  const r = await db.query<AgentRow>(
    `SELECT ${agentColumns} FROM agents ORDER BY family_name, given_name`,
  );
  return r.rows;
}

export interface NewAgent {
  readonly login: string;
  readonly passwordHash: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly role: AgentRole;
  readonly totpSecret: string;
}

/** Creates the agent; false when the login is taken. */
export async function insertAgent(db: Queryable, a: NewAgent): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO agents (login, password_hash, given_name, family_name, role, totp_secret)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (login) DO NOTHING`,
    [a.login, a.passwordHash, a.givenName, a.familyName, a.role, a.totpSecret],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function setTotpSecret(db: Queryable, id: string, secret: string): Promise<void> {
  await db.query('UPDATE agents SET totp_secret = $2 WHERE id = $1 AND totp_enrolled_at IS NULL', [
    id,
    secret,
  ]);
}

/** Records the step of an accepted code (and the enrolment, the first time). */
export async function acceptTotpStep(db: Queryable, id: string, step: number): Promise<void> {
  await db.query(
    `UPDATE agents SET last_totp_step = $2, totp_enrolled_at = COALESCE(totp_enrolled_at, now())
      WHERE id = $1`,
    [id, step],
  );
}

export interface NewAgentSession {
  readonly idHash: Buffer;
  readonly agentId: string;
  readonly absoluteMs: number;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

export async function insertAgentSession(db: Queryable, s: NewAgentSession): Promise<void> {
  await db.query(
    `INSERT INTO agent_sessions (id_hash, agent_id, expires_at, client_ip, user_agent)
     VALUES ($1, $2, now() + make_interval(secs => $3 / 1000.0), $4, $5)`,
    [s.idHash, s.agentId, s.absoluteMs, s.clientIp, s.userAgent],
  );
}

export interface LiveAgentSession {
  readonly agentId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly role: AgentRole;
}

/** Checks and touches the agent's session in one statement (idle, absolute, revoked, disabled). */
export async function touchLiveAgentSession(
  db: Queryable,
  idHash: Buffer,
  agentId: string,
  idleMs: number,
): Promise<LiveAgentSession | null> {
  const r = await db.query<LiveAgentSession>(
    `UPDATE agent_sessions s SET last_seen_at = now()
       FROM agents a
      WHERE s.id_hash = $1 AND s.agent_id = $2 AND a.id = s.agent_id AND a.status = 'active'
        AND s.revoked_at IS NULL AND s.expires_at > now()
        AND s.last_seen_at > now() - make_interval(secs => $3 / 1000.0)
      RETURNING a.id AS "agentId", a.given_name AS "givenName", a.family_name AS "familyName",
                a.role`,
    [idHash, agentId, idleMs],
  );
  return r.rows[0] ?? null;
}

export async function revokeAgentSession(
  db: Queryable,
  idHash: Buffer,
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE agent_sessions SET revoked_at = now(), revoked_reason = $2
      WHERE id_hash = $1 AND revoked_at IS NULL`,
    [idHash, reason],
  );
}

export interface AgentConsultation {
  readonly agentId: string;
  readonly sessionHash: Buffer;
  readonly personId: string;
  readonly reason: ConsultationReason;
  readonly categories: readonly string[];
  readonly route: string;
}

export async function recordAgentAccess(db: Queryable, e: AgentConsultation): Promise<void> {
  await db.query(
    `INSERT INTO agent_access_log (agent_id, agent_session_hash, person_id, reason, categories, route)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [e.agentId, e.sessionHash, e.personId, e.reason, e.categories, e.route],
  );
}

/** When Caf agents consulted this person's file, newest first (for the person's history). */
export async function consultationsOf(
  db: Queryable,
  personId: string,
  limit: number,
): Promise<{ at: Date; reason: ConsultationReason }[]> {
  const r = await db.query<{ at: Date; reason: ConsultationReason }>(
    `SELECT at, reason FROM agent_access_log WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows;
}

export interface AgentAuditEntry {
  readonly agentId: string;
  readonly action: string;
  readonly targetPersonId: string;
  readonly reason: ConsultationReason;
  readonly details?: Readonly<Record<string, unknown>>;
}

export async function recordAgentAudit(db: Queryable, e: AgentAuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor_agent_id, action, target_person_id, details)
     VALUES ($1, $2, $3, $4)`,
    [e.agentId, e.action, e.targetPersonId, JSON.stringify({ reason: e.reason, ...e.details })],
  );
}

/** Disables an active agent and revokes their open sessions; false when already disabled. */
export async function disableAgent(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query(
    "UPDATE agents SET status = 'disabled' WHERE id = $1 AND status = 'active'",
    [id],
  );
  if (r.rowCount === 0) return false;
  await db.query(
    `UPDATE agent_sessions SET revoked_at = now(), revoked_reason = 'agent-desactive'
      WHERE agent_id = $1 AND revoked_at IS NULL`,
    [id],
  );
  return true;
}

/** A superviseur's action on another agent: append-only, like the interventions' rows. */
export async function recordTeamAudit(
  db: Queryable,
  e: { readonly agentId: string; readonly action: string; readonly targetAgentId: string },
): Promise<void> {
  await db.query(`INSERT INTO audit_log (actor_agent_id, action, details) VALUES ($1, $2, $3)`, [
    e.agentId,
    e.action,
    JSON.stringify({ targetAgentId: e.targetAgentId }),
  ]);
}
