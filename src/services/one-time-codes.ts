import type pg from 'pg';
import { withTransaction } from '#src/db/pool.ts';
import {
  consumeCode,
  countCodesSince,
  insertCode,
  lockActiveCode,
  lockPersonCodes,
  recordCodeFailure,
  type CodeChannel,
} from '#src/db/repositories/one-time-codes.ts';
import {
  CODE_MAX_FAILURES,
  CODE_TTL_MS,
  CODES_PER_HOUR,
  codeMatches,
  generateCode,
  hashCode,
  normalizeCode,
  type CodePurpose,
} from '#src/domain/one-time-code.ts';
import type { Deps } from './deps.ts';
import { codeMessage } from './notices.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

export interface CodeTarget {
  readonly personId: string;
  readonly channel: CodeChannel;
  readonly destination: string;
}

/** Sends a fresh code (voiding the previous one); at most CODES_PER_HOUR an hour. */
export async function sendCode(
  s: Deps,
  purpose: CodePurpose,
  target: CodeTarget,
  intent?: string,
): Promise<'sent' | 'too-many'> {
  const now = s.now();
  const code = generateCode();
  const stored = await withTransaction(s.pool, async (tx) => {
    await lockPersonCodes(tx, target.personId);
    const recent = await countCodesSince(
      tx,
      target.personId,
      purpose,
      new Date(now.getTime() - 3_600_000),
    );
    if (recent >= CODES_PER_HOUR) return false;
    await insertCode(tx, {
      personId: target.personId,
      purpose,
      channel: target.channel,
      destination: target.destination,
      codeHash: hashCode(s.secrets.codes, purpose, target.personId, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    });
    const message = codeMessage(code, purpose, intent);
    await s.outbox.enqueue(
      tx,
      { channel: target.channel, to: target.destination, ...message },
      'code',
    );
    return true;
  });
  if (!stored) return 'too-many';
  return 'sent';
}

export type CodeCheck =
  | { readonly ok: true; readonly channel: CodeChannel; readonly destination: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/** What a valid code unlocks, run in the transaction that consumes it (a throw undoes both). */
export type CodeEffect = (
  tx: pg.PoolClient,
  verified: { readonly channel: CodeChannel; readonly destination: string },
) => Promise<void>;

/**
 * Checks a code for a person and purpose: single use, 15 minutes, void after 5 wrong tries,
 * and throttled per person (or per `journey`, when given) and address like passwords.
 * `personId` null (no such person) fails the same way; it comes with its journey's own key,
 * never one key shared by every unknown person (whose state would tell them apart).
 */
export async function checkCode(
  s: Deps,
  purpose: CodePurpose,
  personId: string | null,
  input: string,
  clientIp: string,
  options: { readonly effect?: CodeEffect; readonly journey?: string } = {},
): Promise<CodeCheck> {
  const { effect, journey } = options;
  const subject = journey ? `code:journey:${journey}` : `code:${personId ?? 'nobody'}`;
  const subjects = { account: accountSubject(s.secrets.throttles, subject), address: clientIp };
  const now = s.now();
  const opening = await openAttempt(s.pool, 'code', subjects, now);
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  if (!personId) {
    await attemptFailed(s.pool, 'code', subjects, now);
    return { ok: false, reason: 'invalid' };
  }
  const code = normalizeCode(input);
  const result = await withTransaction(s.pool, async (tx): Promise<CodeCheck> => {
    const active = await lockActiveCode(tx, personId, purpose, now, CODE_MAX_FAILURES);
    if (!active) return { ok: false, reason: 'invalid' };
    if (!codeMatches(s.secrets.codes, purpose, personId, code, active.codeHash)) {
      await recordCodeFailure(tx, active.id);
      return { ok: false, reason: 'invalid' };
    }
    await consumeCode(tx, active.id, now);
    await effect?.(tx, { channel: active.channel, destination: active.destination });
    return { ok: true, channel: active.channel, destination: active.destination };
  });
  if (result.ok) await attemptSucceeded(s.pool, 'code', subjects);
  else await attemptFailed(s.pool, 'code', subjects, now);
  return result;
}
