import type { Channel, OutboxMessage } from '#src/notifications/notifier.ts';
import type { Queryable } from '#src/db/pool.ts';

/**
 * The latest message of `dev_outbox` for this recipient (e-mail addresses compare in lower
 * case, as the SMTP catcher stores them), or null.
 */
export async function lastMessageTo(
  pool: Queryable,
  recipient: string,
  channel?: Channel,
): Promise<OutboxMessage | null> {
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
