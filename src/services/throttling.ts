import { createHmac } from 'node:crypto';
import { withTransaction, type Pool } from '#src/db/pool.ts';
import {
  clearThrottle,
  lockThrottle,
  saveThrottle,
  type ThrottleKey,
} from '#src/db/repositories/throttles.ts';
import {
  accountRules,
  addressRules,
  afterFailure,
  verdict,
  type AttemptKind,
} from '#src/domain/throttle.ts';

/** The throttle subject of an identifier: a keyed hash, so the table holds no NIR. */
export function accountSubject(key: Buffer, identifier: string): string {
  return createHmac('sha256', key).update(identifier).digest('base64url');
}

/**
 * Who an attempt counts against. `account`: the identifier typed (all unknown devices share it)
 * or, from a device that already logged in to it, that device's own subject (`knownDevice`).
 */
export interface AttemptSubjects {
  readonly account: string;
  readonly address: string;
  /** A recognised device is not refused for its address's failures (they are others'). */
  readonly knownDevice?: boolean;
}

export type AttemptOpening =
  /** `lockedIfFails`: the end of the lock this attempt sets if it fails, or null. */
  | { readonly allowed: true; readonly lockedIfFails: Date | null }
  | { readonly allowed: false; readonly reason: 'locked' | 'delay'; readonly retryAt: Date };

/**
 * Claims one attempt before it is evaluated. Against the account it is counted as a failure up
 * front, so parallel attempts cannot slip past the limit, and `attemptSucceeded` takes it back.
 * Against the address only real failures count (`attemptFailed`): many people behind one
 * address logging in at once must not look like an attack.
 */
export async function openAttempt(
  pool: Pool,
  kind: AttemptKind,
  subjects: AttemptSubjects,
  now: Date,
): Promise<AttemptOpening> {
  return withTransaction(pool, async (tx) => {
    const accountKey: ThrottleKey = { scope: 'account', subject: subjects.account, kind };
    const addressKey: ThrottleKey = { scope: 'address', subject: subjects.address, kind };
    const account = await lockThrottle(tx, accountKey);
    const address = await lockThrottle(tx, addressKey);
    const rule = accountRules[kind];
    const verdicts = [verdict(account, rule, now)];
    if (!subjects.knownDevice) verdicts.push(verdict(address, addressRules[kind], now));
    for (const v of verdicts) {
      if (!v.allowed) return v;
    }
    const nextAccount = afterFailure(account, rule, now);
    await saveThrottle(tx, accountKey, nextAccount.state);
    return {
      allowed: true,
      lockedIfFails: nextAccount.locked ? nextAccount.state.lockedUntil : null,
    };
  });
}

export async function attemptSucceeded(
  pool: Pool,
  kind: AttemptKind,
  subjects: AttemptSubjects,
): Promise<void> {
  await clearThrottle(pool, { scope: 'account', subject: subjects.account, kind });
}

export async function attemptFailed(
  pool: Pool,
  kind: AttemptKind,
  subjects: AttemptSubjects,
  now: Date,
): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const key: ThrottleKey = { scope: 'address', subject: subjects.address, kind };
    const rule = addressRules[kind];
    await saveThrottle(tx, key, afterFailure(await lockThrottle(tx, key), rule, now).state);
  });
}
