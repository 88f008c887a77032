import type { Queryable } from '../pool.ts';

export interface FlowRow {
  readonly personId: string | null;
  readonly state: unknown;
  readonly version: number;
}

export async function insertFlow(
  db: Queryable,
  f: {
    idHash: Buffer;
    purpose: string;
    personId: string | null;
    state: unknown;
    createdAt: Date;
    expiresAt: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO flows (id_hash, purpose, person_id, state, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [f.idHash, f.purpose, f.personId, JSON.stringify(f.state), f.createdAt, f.expiresAt],
  );
}

/** The live row: this purpose, not consumed, not expired. Steps then move it by compare-and-set. */
export async function findLiveFlow(
  db: Queryable,
  idHash: Buffer,
  purpose: string,
  now: Date,
): Promise<FlowRow | null> {
  const r = await db.query<FlowRow>(
    `SELECT person_id AS "personId", state, version FROM flows
      WHERE id_hash = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3`,
    [idHash, purpose, now],
  );
  return r.rows[0] ?? null;
}

/** Compare-and-set on `version`: false when another step got there first, or the row is no longer live. */
export async function updateLiveFlow(
  db: Queryable,
  idHash: Buffer,
  purpose: string,
  version: number,
  next: { personId: string | null; state: unknown },
  now: Date,
): Promise<boolean> {
  const r = await db.query(
    `UPDATE flows SET state = $4, person_id = $5, version = version + 1
      WHERE id_hash = $1 AND purpose = $2 AND version = $3
        AND consumed_at IS NULL AND expires_at > $6`,
    [idHash, purpose, version, JSON.stringify(next.state), next.personId, now],
  );
  return r.rowCount === 1;
}

/** Single use: exactly one caller gets true for a given row and version. */
export async function consumeLiveFlow(
  db: Queryable,
  idHash: Buffer,
  purpose: string,
  version: number,
  now: Date,
): Promise<boolean> {
  const r = await db.query(
    `UPDATE flows SET consumed_at = $4, version = version + 1
      WHERE id_hash = $1 AND purpose = $2 AND version = $3
        AND consumed_at IS NULL AND expires_at > $4`,
    [idHash, purpose, version, now],
  );
  return r.rowCount === 1;
}

/**
 * Rows expired before `before`, a bounded batch at a time (called on start). Rows another
 * purge holds are skipped: concurrent starts never wait on each other or deadlock.
 */
export async function purgeFlows(db: Queryable, before: Date): Promise<void> {
  await db.query(
    `DELETE FROM flows WHERE id_hash IN
       (SELECT id_hash FROM flows WHERE expires_at < $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`,
    [before],
  );
}
