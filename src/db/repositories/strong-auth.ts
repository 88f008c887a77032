import type { Queryable } from '../pool.ts';

export async function findActivePasswordHash(
  db: Queryable,
  personId: string,
): Promise<string | null> {
  const r = await db.query<{ hash: string }>(
    `SELECT password_hash AS hash FROM accounts WHERE person_id = $1 AND status = 'active'`,
    [personId],
  );
  return r.rows[0]?.hash ?? null;
}

/** The step-up (password + code) raises this one session, and only while it is live. */
export async function recordStrongAuth(
  db: Queryable,
  sessionHash: Buffer,
  at: Date,
): Promise<void> {
  await db.query(
    'UPDATE sessions SET strong_auth_at = $2 WHERE id_hash = $1 AND revoked_at IS NULL',
    [sessionHash, at],
  );
}

export async function strongAuthAt(db: Queryable, sessionHash: Buffer): Promise<Date | null> {
  const r = await db.query<{ at: Date | null }>(
    'SELECT strong_auth_at AS at FROM sessions WHERE id_hash = $1 AND revoked_at IS NULL',
    [sessionHash],
  );
  return r.rows[0]?.at ?? null;
}
