import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, OutboxMessage } from '#src/notifications/notifier.ts';
import type { Queryable } from '#src/db/pool.ts';

/** Polling rounds of `waitForDelivery`, 25 ms apart: a bound on waiting, not a timed assertion. */
const DELIVERY_ROUNDS = 400;

/**
 * Waits until the message worker has no message due or being sent (messages waiting for a retry
 * later are not waited for); returns the polling rounds it took. Throws past the bound.
 */
export async function waitForDelivery(pool: Queryable): Promise<number> {
  for (let round = 0; round < DELIVERY_ROUNDS; round += 1) {
    const pending = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs
        WHERE attempts < max_attempts AND (locked_at IS NOT NULL OR run_at <= now())`,
    );
    if (pending.rows[0]?.n === 0) return round;
    await sleep(25);
  }
  throw new Error(`messages still waiting to be sent after ${DELIVERY_ROUNDS} polling rounds`);
}

/**
 * The latest message of `dev_outbox` for this recipient (e-mail addresses compare in lower
 * case, as the SMTP catcher stores them), or null — once the messages due have been sent.
 * Ordered by the numeric id, not its text.
 */
export async function lastMessageTo(
  pool: Queryable,
  recipient: string,
  channel?: Channel,
): Promise<OutboxMessage | null> {
  await waitForDelivery(pool);
  const result = await pool.query<OutboxMessage>(
    `SELECT id::text AS id, at, channel, recipient, subject, body
       FROM dev_outbox
      WHERE (recipient = $1 OR (channel = 'email' AND recipient = lower($1)))
        AND ($2::text IS NULL OR channel = $2)
      ORDER BY dev_outbox.id DESC
      LIMIT 1`,
    [recipient, channel ?? null],
  );
  return result.rows[0] ?? null;
}

/** The one 6-digit code of a message; throws when there is none or more than one. */
export function codeIn(text: string): string {
  const codes = [...new Set(text.match(/(?<!\d)\d{6}(?!\d)/g) ?? [])];
  const [code] = codes;
  if (code === undefined || codes.length > 1) {
    throw new Error(`expected exactly one 6-digit code in: ${text}`);
  }
  return code;
}
