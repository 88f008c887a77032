import type { AttemptKind, ThrottleState } from '#src/domain/throttle.ts';
import type { Queryable } from '../pool.ts';

export type ThrottleScope = 'account' | 'address';

export interface ThrottleKey {
  readonly scope: ThrottleScope;
  readonly subject: string;
  readonly kind: AttemptKind;
}

/**
 * Reads and locks the row (creating it) for the rest of the transaction. One upsert, not an
 * insert then a select: a concurrent DELETE (a success clearing the counter) between the two
 * left the select with no row.
 */
export async function lockThrottle(tx: Queryable, key: ThrottleKey): Promise<ThrottleState> {
  const r = await tx.query<ThrottleState>(
    `INSERT INTO throttles (scope, subject, kind) VALUES ($1, $2, $3)
     ON CONFLICT (scope, subject, kind) DO UPDATE SET failures = throttles.failures
     RETURNING failures, last_failure_at AS "lastFailureAt", locked_until AS "lockedUntil"`,
    [key.scope, key.subject, key.kind],
  );
  const row = r.rows[0];
  if (!row) throw new Error('throttle upsert returned no row');
  return row;
}

export async function saveThrottle(
  tx: Queryable,
  key: ThrottleKey,
  state: ThrottleState,
): Promise<void> {
  await tx.query(
    `UPDATE throttles SET failures = $4, last_failure_at = $5, locked_until = $6
      WHERE scope = $1 AND subject = $2 AND kind = $3`,
    [key.scope, key.subject, key.kind, state.failures, state.lastFailureAt, state.lockedUntil],
  );
}

export async function clearThrottle(db: Queryable, key: ThrottleKey): Promise<void> {
  await db.query('DELETE FROM throttles WHERE scope = $1 AND subject = $2 AND kind = $3', [
    key.scope,
    key.subject,
    key.kind,
  ]);
}

/** Every account-scope lock of one subject (password, legacy, code): the unlock path. */
export async function clearAccountThrottles(db: Queryable, subject: string): Promise<void> {
  await db.query("DELETE FROM throttles WHERE scope = 'account' AND subject = $1", [subject]);
}
