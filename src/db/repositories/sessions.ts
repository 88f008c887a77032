import type { MemberRole } from '#src/domain/access.ts';
import type { MaintenanceWindow } from '#src/domain/maintenance.ts';
import type { AuthMethod } from '#src/domain/principal.ts';
import type { DossierRow } from './dossiers.ts';
import type { Queryable } from '../pool.ts';

export interface NewSession {
  readonly idHash: Buffer;
  readonly personId: string;
  readonly method: AuthMethod;
  readonly acr: string | null;
  readonly authenticatedAt: Date;
  readonly absoluteMs: number;
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

export async function insertSession(db: Queryable, s: NewSession): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id_hash, person_id, method, acr, authenticated_at, expires_at, client_ip, user_agent)
     VALUES ($1, $2, $3, $4, $5, $5::timestamptz + make_interval(secs => $6 / 1000.0), $7, $8)`,
    [
      s.idHash,
      s.personId,
      s.method,
      s.acr,
      s.authenticatedAt,
      s.absoluteMs,
      s.clientIp,
      s.userAgent,
    ],
  );
}

export interface LiveSession {
  readonly givenName: string;
  readonly familyName: string;
  readonly method: AuthMethod;
  readonly acr: string | null;
  readonly authenticatedAt: Date;
  /** Suspended by a Caf agent (services/suspension.ts). */
  readonly suspended: boolean;
}

/** A membership as read with the session: the dossier, the role, the delegation, the birth date. */
export interface SessionMembershipRow {
  readonly dossier: DossierRow;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly birthdate: string;
}

/** What a personal request starts from, read in one statement and one snapshot (ADR 0014). */
export interface RequestStart {
  /** null: no live session for this cookie (unknown, revoked, idle or past its absolute limit). */
  readonly session: LiveSession | null;
  /** The person's dossiers in the rule's order (allocataire first); empty without a session. */
  readonly memberships: readonly SessionMembershipRow[];
  /** The maintenance row (ADR 0012), read on every request, and the database's clock. */
  readonly maintenance: { readonly window: MaintenanceWindow; readonly now: Date };
}

interface RequestStartRow {
  readonly live: boolean;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly method: AuthMethod | null;
  readonly acr: string | null;
  readonly authenticatedAt: Date | null;
  readonly suspended: boolean | null;
  readonly memberships: SessionMembershipRow[] | null;
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly message: string | null;
  readonly endSessions: boolean;
  readonly sessionsEndedAt: Date | null;
  readonly now: Date;
}

/**
 * A live session's `last_seen_at` is written again only once it is this old (ADR 0016): most
 * requests then read the session without writing it — no row version, no WAL, no commit to
 * flush. The idle timeout is still checked on every request against the stored value, so a
 * session idles out up to this much sooner than SESSION_IDLE_MINUTES says, never later.
 */
export const SESSION_TOUCH_EVERY_MS = 60_000;

/**
 * How old `last_seen_at` must be to be written again: {@link SESSION_TOUCH_EVERY_MS}, or half the
 * idle timeout when that is shorter — a session used more often than that never idles out.
 */
export function touchAfterMs(idleMs: number): number {
  return Math.min(SESSION_TOUCH_EVERY_MS, idleMs / 2);
}

const REQUEST_START_SQL = `WITH live AS (
       SELECT s.person_id, p.given_name, p.family_name, p.birthdate,
              p.suspended_at, s.method, s.acr, s.authenticated_at
         FROM sessions s JOIN persons p ON p.id = s.person_id
        WHERE s.id_hash = $1 AND s.person_id = $2 AND s.revoked_at IS NULL
          AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $3 / 1000.0)
     ),
     -- Run to completion though nothing reads it (a data-modifying WITH always is).
     touched AS (
       UPDATE sessions s SET last_seen_at = now()
        WHERE s.id_hash = $1 AND s.revoked_at IS NULL AND EXISTS (SELECT FROM live)
          AND s.last_seen_at <= now() - make_interval(secs => $4 / 1000.0)
     )
     SELECT live.person_id IS NOT NULL AS live,
            live.given_name AS "givenName", live.family_name AS "familyName", live.method,
            live.acr, live.authenticated_at AS "authenticatedAt",
            live.suspended_at IS NOT NULL AS suspended,
            (SELECT json_agg(json_build_object(
                      'dossier', json_build_object(
                        'id', d.id, 'number', d.number, 'addressLine1', d.address_line1,
                        'addressLine2', d.address_line2, 'postcode', d.postcode, 'city', d.city,
                        'familySituation', d.family_situation, 'iban', d.iban, 'bic', d.bic,
                        'declarationCycle', d.quarterly_declaration_cycle),
                      'role', m.role, 'delegation', m.delegation, 'birthdate', live.birthdate)
                    ORDER BY m.role, m.dossier_id)
               FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
              WHERE m.person_id = live.person_id) AS memberships,
            mt.starts_at AS "startsAt", mt.ends_at AS "endsAt", mt.message,
            mt.end_sessions AS "endSessions", mt.sessions_ended_at AS "sessionsEndedAt",
            now() AS now
       FROM maintenance mt LEFT JOIN live ON true
      WHERE mt.id`;

/**
 * One round trip for the start of every signed-in request: the session checked — it must exist
 * for this person, not be revoked, not be past its absolute expiry and have been seen within the
 * idle timeout — and touched when last written {@link touchAfterMs} ago or more, the person's
 * names, dossiers and memberships (as `findDossiersOfPerson`) and the maintenance row — one
 * statement, so the memberships are those of the same snapshot as the live session, and none are
 * returned when the session is not live. A revocation committed before the statement starts is
 * seen; one committing while it runs orders after this request, as for any read.
 */
export async function startRequest(
  db: Queryable,
  idHash: Buffer,
  personId: string,
  idleMs: number,
): Promise<RequestStart> {
  // A named statement: parsed and planned once per connection, not on every request.
  const r = await db.query<RequestStartRow>({
    name: 'request-start',
    text: REQUEST_START_SQL,
    values: [idHash, personId, idleMs, touchAfterMs(idleMs)],
  });
  const row = r.rows[0];
  if (!row) throw new Error('maintenance row missing (migration 018)');
  const { startsAt, endsAt, message, endSessions, sessionsEndedAt, now } = row;
  const maintenance = { window: { startsAt, endsAt, message, endSessions, sessionsEndedAt }, now };
  if (!row.live || !row.givenName || !row.familyName || !row.method || !row.authenticatedAt) {
    return { session: null, memberships: [], maintenance };
  }
  return {
    session: {
      givenName: row.givenName,
      familyName: row.familyName,
      method: row.method,
      acr: row.acr,
      authenticatedAt: row.authenticatedAt,
      suspended: row.suspended === true,
    },
    memberships: row.memberships ?? [],
    maintenance,
  };
}

export async function revokeSession(db: Queryable, idHash: Buffer, reason: string): Promise<void> {
  await db.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
      WHERE id_hash = $1 AND revoked_at IS NULL`,
    [idHash, reason],
  );
}

/** Revokes every live session of a person, but `keep` (the session making the change) if given. */
export async function revokeSessionsOf(
  db: Queryable,
  personId: string,
  reason: string,
  keep: Buffer | null = null,
): Promise<number> {
  const r = await db.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
      WHERE person_id = $1 AND revoked_at IS NULL AND ($3::bytea IS NULL OR id_hash <> $3)`,
    [personId, reason, keep],
  );
  return r.rowCount ?? 0;
}

export interface ActiveSessionRow {
  readonly publicId: string;
  readonly idHash: Buffer;
  readonly method: AuthMethod;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly userAgent: string | null;
}

/** The person's live sessions (not revoked, not expired, seen within the idle timeout). */
export async function activeSessionsOf(
  db: Queryable,
  personId: string,
  idleMs: number,
): Promise<ActiveSessionRow[]> {
  const r = await db.query<ActiveSessionRow>({
    name: 'active-sessions',
    text: `SELECT public_id AS "publicId", id_hash AS "idHash", method, created_at AS "createdAt",
            last_seen_at AS "lastSeenAt", user_agent AS "userAgent"
       FROM sessions
      WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > now()
        AND last_seen_at > now() - make_interval(secs => $2 / 1000.0)
      ORDER BY last_seen_at DESC`,
    values: [personId, idleMs],
  });
  return r.rows;
}

/** Revokes one session by its public id, only if it is this person's and not `keep`. */
export async function revokeSessionOf(
  db: Queryable,
  personId: string,
  publicId: string,
  reason: string,
  keep: Buffer,
): Promise<boolean> {
  const r = await db.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $3
      WHERE person_id = $1 AND public_id = $2 AND revoked_at IS NULL AND id_hash <> $4`,
    [personId, publicId, reason, keep],
  );
  return (r.rowCount ?? 0) > 0;
}
