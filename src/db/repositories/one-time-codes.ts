import type { CodePurpose } from '#src/domain/one-time-code.ts';
import type { Queryable } from '../pool.ts';

export type CodeChannel = 'email' | 'sms';

export interface NewCode {
  readonly personId: string;
  readonly purpose: CodePurpose;
  readonly channel: CodeChannel;
  readonly destination: string;
  readonly codeHash: Buffer;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Serialises code issuing for one person until the transaction ends (hourly limit). */
export async function lockPersonCodes(tx: Queryable, personId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`code:${personId}`]);
}

/** Stores a new code and voids the person's earlier codes for the same purpose. */
export async function insertCode(tx: Queryable, c: NewCode): Promise<void> {
  await tx.query(
    `UPDATE one_time_codes SET expires_at = least(expires_at, $3)
      WHERE person_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [c.personId, c.purpose, c.createdAt],
  );
  await tx.query(
    `INSERT INTO one_time_codes (person_id, purpose, channel, destination, code_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [c.personId, c.purpose, c.channel, c.destination, c.codeHash, c.createdAt, c.expiresAt],
  );
}

export async function countCodesSince(
  db: Queryable,
  personId: string,
  purpose: CodePurpose,
  since: Date,
): Promise<number> {
  const r = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM one_time_codes WHERE person_id = $1 AND purpose = $2 AND created_at > $3',
    [personId, purpose, since],
  );
  return r.rows[0]?.n ?? 0;
}

export interface ActiveCode {
  readonly id: string;
  readonly channel: CodeChannel;
  readonly destination: string;
  readonly codeHash: Buffer;
  readonly failedAttempts: number;
}

/** The live code of a person for a purpose, locked for the rest of the transaction. */
export async function lockActiveCode(
  tx: Queryable,
  personId: string,
  purpose: CodePurpose,
  now: Date,
  maxFailures: number,
): Promise<ActiveCode | null> {
  const r = await tx.query<ActiveCode>(
    `SELECT id, channel, destination, code_hash AS "codeHash", failed_attempts AS "failedAttempts"
       FROM one_time_codes
      WHERE person_id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 AND failed_attempts < $4
      ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [personId, purpose, now, maxFailures],
  );
  return r.rows[0] ?? null;
}

export async function recordCodeFailure(tx: Queryable, id: string): Promise<void> {
  await tx.query('UPDATE one_time_codes SET failed_attempts = failed_attempts + 1 WHERE id = $1', [
    id,
  ]);
}

export async function consumeCode(tx: Queryable, id: string, now: Date): Promise<void> {
  await tx.query('UPDATE one_time_codes SET used_at = $2 WHERE id = $1', [id, now]);
}
