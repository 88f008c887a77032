import type { MemberRole } from '#src/domain/access.ts';
import type { Queryable } from '../pool.ts';

export interface IncidentRow {
  readonly id: string;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly description: string;
  readonly declaredAt: Date;
  readonly declaredBy: string;
  readonly sessionsRevokedAt: Date | null;
  readonly demarchesCancelledAt: Date | null;
  readonly noticesSentAt: Date | null;
  readonly closedAt: Date | null;
}

const incidentColumns = `id::text AS id, starts_at AS "startsAt", ends_at AS "endsAt", description,
  declared_at AS "declaredAt", declared_by AS "declaredBy",
  sessions_revoked_at AS "sessionsRevokedAt", demarches_cancelled_at AS "demarchesCancelledAt",
  notices_sent_at AS "noticesSentAt", closed_at AS "closedAt"`;

/** `endsAt` null: now, on the database's clock. */
export async function insertIncident(
  db: Queryable,
  i: { startsAt: Date; endsAt: Date | null; description: string; declaredBy: string },
): Promise<IncidentRow> {
  const r = await db.query<IncidentRow>(
    `INSERT INTO incidents (starts_at, ends_at, description, declared_by)
     VALUES ($1, coalesce($2, now()), $3, $4) RETURNING ${incidentColumns}`,
    [i.startsAt, i.endsAt, i.description, i.declaredBy],
  );
  const row = r.rows[0];
  if (!row) throw new Error('incident not inserted');
  return row;
}

/** The incident, locked when `forUpdate` (its actions run one at a time). */
export async function findIncident(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<IncidentRow | null> {
  if (!/^[0-9]{1,18}$/.test(id)) return null;
  const r = await db.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function markIncident(
  db: Queryable,
  id: string,
  column: 'sessions_revoked_at' | 'demarches_cancelled_at' | 'notices_sent_at' | 'closed_at',
): Promise<void> {
  await db.query(`UPDATE incidents SET ${column} = coalesce(${column}, now()) WHERE id = $1`, [id]);
}

export interface WindowDisplay {
  readonly id: string;
  readonly at: Date;
  readonly personId: string;
  readonly dossierId: string | null;
  readonly categories: string[];
  readonly channel: string;
  readonly viewerBirthdate: string | null;
}

export async function displaysIn(db: Queryable, from: Date, to: Date): Promise<WindowDisplay[]> {
  const r = await db.query<WindowDisplay>(
    `SELECT a.id::text AS id, a.at, a.person_id AS "personId", a.dossier_id AS "dossierId",
            a.categories, a.channel, p.birthdate AS "viewerBirthdate"
       FROM access_log a LEFT JOIN persons p ON p.id = a.person_id
      WHERE a.at >= $1 AND a.at < $2 ORDER BY a.at, a.id`,
    [from, to],
  );
  return r.rows;
}

export interface MembershipPeriodRow {
  readonly dossierId: string;
  readonly personId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly validFrom: Date;
  readonly validTo: Date | null;
}

/** Memberships of these persons that overlapped the window. */
export async function membershipPeriods(
  db: Queryable,
  personIds: readonly string[],
  from: Date,
  to: Date,
): Promise<MembershipPeriodRow[]> {
  const r = await db.query<MembershipPeriodRow>(
    `SELECT dossier_id AS "dossierId", person_id AS "personId", role, delegation,
            valid_from AS "validFrom", valid_to AS "validTo"
       FROM dossier_member_history
      WHERE person_id = ANY($1::uuid[]) AND valid_from < $3 AND (valid_to IS NULL OR valid_to > $2)`,
    [personIds, from, to],
  );
  return r.rows;
}

/** Members of these dossiers at any moment of the window: the persons whose data was exposed. */
export async function membersDuring(
  db: Queryable,
  dossierIds: readonly string[],
  from: Date,
  to: Date,
): Promise<{ dossierId: string; personId: string }[]> {
  const r = await db.query<{ dossierId: string; personId: string }>(
    `SELECT DISTINCT dossier_id AS "dossierId", person_id AS "personId"
       FROM dossier_member_history
      WHERE dossier_id = ANY($1::uuid[]) AND valid_from < $3 AND (valid_to IS NULL OR valid_to > $2)`,
    [dossierIds, from, to],
  );
  return r.rows;
}

export interface PersonSummary {
  readonly id: string;
  readonly name: string;
  readonly hasEmail: boolean;
}

export async function personSummaries(
  db: Queryable,
  ids: readonly string[],
): Promise<PersonSummary[]> {
  const r = await db.query<PersonSummary>(
    `SELECT id, given_name || ' ' || upper(family_name) AS name, (email IS NOT NULL) AS "hasEmail"
       FROM persons WHERE id = ANY($1::uuid[]) ORDER BY family_name, given_name, id`,
    [ids],
  );
  return r.rows;
}

export async function dossierNumbers(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, string>> {
  const r = await db.query<{ id: string; number: string }>(
    `SELECT id, number FROM dossiers WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return new Map(r.rows.map((d) => [d.id, d.number]));
}

export interface WindowSession {
  readonly personId: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export async function sessionsCreatedIn(
  db: Queryable,
  from: Date,
  to: Date,
): Promise<WindowSession[]> {
  const r = await db.query<WindowSession>(
    `SELECT person_id AS "personId", created_at AS "createdAt", revoked_at AS "revokedAt"
       FROM sessions WHERE created_at >= $1 AND created_at < $2`,
    [from, to],
  );
  return r.rows;
}

/** One statement: every session created in the window and still live is revoked. */
export async function revokeSessionsCreatedIn(
  db: Queryable,
  from: Date,
  to: Date,
  reason: string,
): Promise<number> {
  const r = await db.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $3
      WHERE created_at >= $1 AND created_at < $2 AND revoked_at IS NULL`,
    [from, to, reason],
  );
  return r.rowCount ?? 0;
}

export interface WindowDemarche {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly dossierId: string;
  readonly authorPersonId: string;
  readonly createdAt: Date;
}

const demarcheColumns = `id, kind, status, dossier_id AS "dossierId",
  author_person_id AS "authorPersonId", created_at AS "createdAt"`;

export async function demarchesCreatedIn(
  db: Queryable,
  from: Date,
  to: Date,
): Promise<WindowDemarche[]> {
  const r = await db.query<WindowDemarche>(
    `SELECT ${demarcheColumns} FROM demarches
      WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`,
    [from, to],
  );
  return r.rows;
}

/** Cancels the window's démarches not cancelled yet; returns those it cancelled. */
export async function cancelDemarchesCreatedIn(
  db: Queryable,
  from: Date,
  to: Date,
  reason: string,
): Promise<WindowDemarche[]> {
  const r = await db.query<WindowDemarche>(
    `UPDATE demarches SET status = 'annulee', cancel_reason = $3, status_changed_at = now(),
            cancelled_at = coalesce(cancelled_at, now())
      WHERE created_at >= $1 AND created_at < $2 AND status <> 'annulee'
      RETURNING ${demarcheColumns}`,
    [from, to, reason],
  );
  return r.rows;
}

export async function countAccountsChangedBefore(db: Queryable, at: Date): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM accounts WHERE password_changed_at < $1`,
    [at],
  );
  return r.rows[0]?.n ?? 0;
}

/** Records that this person is notified for this incident; false if they already were. */
export async function claimIncidentNotice(
  db: Queryable,
  incidentId: string,
  personId: string,
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO incident_notices (incident_id, person_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING`,
    [incidentId, personId],
  );
  return (r.rowCount ?? 0) > 0;
}

/** `agentId`: the console agent who acted (null from the command line). */
export async function auditIncident(
  db: Queryable,
  action: string,
  details: Record<string, unknown>,
  agentId: string | null = null,
): Promise<void> {
  await db.query(`INSERT INTO audit_log (actor_agent_id, action, details) VALUES ($1, $2, $3)`, [
    agentId,
    action,
    details,
  ]);
}

export interface AuditEntry {
  readonly at: Date;
  readonly action: string;
  readonly details: Record<string, unknown>;
}

export async function incidentAudit(db: Queryable, incidentId: string): Promise<AuditEntry[]> {
  const r = await db.query<AuditEntry>(
    `SELECT at, action, details FROM audit_log
      WHERE action LIKE 'incident-%' AND details->>'incident' = $1 ORDER BY at, id`,
    [incidentId],
  );
  return r.rows;
}

/** Every incident, the latest declared first (the console's list). */
export async function listIncidents(db: Queryable, limit = 200): Promise<IncidentRow[]> {
  const r = await db.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents ORDER BY declared_at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}
