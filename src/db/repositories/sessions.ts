import type { AuthMethod } from '#src/domain/principal.ts';
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

/**
 * Checks and touches the session in one statement: it must exist for this person, not be
 * revoked, not be past its absolute expiry and have been seen within the idle timeout.
 * It also returns the person's names for the page header.
 */
export async function touchLiveSession(
  db: Queryable,
  idHash: Buffer,
  personId: string,
  idleMs: number,
): Promise<LiveSession | null> {
  const r = await db.query<LiveSession>(
    `UPDATE sessions s SET last_seen_at = now()
       FROM persons p
      WHERE s.id_hash = $1 AND s.person_id = $2 AND p.id = s.person_id AND s.revoked_at IS NULL
        AND s.expires_at > now() AND s.last_seen_at > now() - make_interval(secs => $3 / 1000.0)
      RETURNING p.given_name AS "givenName", p.family_name AS "familyName",
                s.method, s.acr, s.authenticated_at AS "authenticatedAt",
                p.suspended_at IS NOT NULL AS suspended`,
    [idHash, personId, idleMs],
  );
  return r.rows[0] ?? null;
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
  const r = await db.query<ActiveSessionRow>(
    `SELECT public_id AS "publicId", id_hash AS "idHash", method, created_at AS "createdAt",
            last_seen_at AS "lastSeenAt", user_agent AS "userAgent"
       FROM sessions
      WHERE person_id = $1 AND revoked_at IS NULL AND expires_at > now()
        AND last_seen_at > now() - make_interval(secs => $2 / 1000.0)
      ORDER BY last_seen_at DESC`,
    [personId, idleMs],
  );
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
