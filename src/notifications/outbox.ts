import type { Queryable } from '#src/db/pool.ts';
import {
  ChannelUnavailableError,
  InvalidRecipientError,
  checkRecipient,
  type Channel,
  type OutboundMessage,
} from './notifier.ts';

/** The graphile-worker task that hands one message to its transport (src/notifications/worker.ts). */
export const DELIVER_MESSAGE_TASK = 'envoyer-message';

/**
 * How a message is retried (graphile-worker waits e^min(attempt, 10) s after the attempt-th
 * failure). A code is useless after its 15 minutes: 7 attempts end ≈ 10.6 min after the first.
 * A notice (password changed, lock, bank details…) is worth a day: 14 attempts span ≈ 28 h.
 * Codes go first (lower priority number runs sooner). See ADR 0009.
 */
export const DELIVERY = {
  code: { maxAttempts: 7, priority: 0 },
  notice: { maxAttempts: 14, priority: 10 },
} as const;

export type Urgency = keyof typeof DELIVERY;

export interface Outbox {
  /**
   * Writes the message as a job on `db` — the caller's transaction client, so that a rollback
   * drops it — after checking the recipient and that the channel can send here: throws
   * InvalidRecipientError or ChannelUnavailableError before anything is written.
   */
  enqueue(db: Queryable, message: OutboundMessage, urgency: Urgency): Promise<void>;
  /**
   * A notice on a channel that may not carry it here (no SMS provider, say): queued when it can
   * be, skipped (false) when not, so that a notice never undoes the effect it tells about.
   */
  enqueueNotice(db: Queryable, message: OutboundMessage): Promise<boolean>;
}

/** `available`: the channels that can send here (production has no SMS or postal provider yet). */
export function createOutbox(available: Readonly<Record<Channel, boolean>>): Outbox {
  const outbox: Outbox = {
    async enqueue(db, message, urgency) {
      const to = checkRecipient(message);
      if (!available[message.channel]) {
        throw new ChannelUnavailableError(message.channel, 'aucun prestataire configuré');
      }
      const { maxAttempts, priority } = DELIVERY[urgency];
      await db.query(
        `SELECT graphile_worker.add_job($1, $2::json, max_attempts => $3, priority => $4)`,
        [DELIVER_MESSAGE_TASK, JSON.stringify({ ...message, to }), maxAttempts, priority],
      );
    },
    async enqueueNotice(db, message) {
      try {
        await outbox.enqueue(db, message, 'notice');
        return true;
      } catch (error) {
        if (error instanceof ChannelUnavailableError || error instanceof InvalidRecipientError)
          return false;
        throw error;
      }
    },
  };
  return outbox;
}

export interface DeadMessage {
  readonly id: string;
  readonly channel: Channel;
  readonly recipient: string;
  readonly subject: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly lastTriedAt: Date;
}

/**
 * Messages that used up their attempts: graphile-worker keeps them, with their last error, until
 * an agent retries (`graphile_worker.reschedule_jobs`) or deletes them. The body is not shown:
 * it may hold a code.
 */
export async function deadMessages(db: Queryable): Promise<DeadMessage[]> {
  const result = await db.query<DeadMessage>(
    `SELECT j.id::text AS id, p.payload->>'channel' AS channel, p.payload->>'to' AS recipient,
            p.payload->>'subject' AS subject, j.attempts, j.last_error AS "lastError",
            j.created_at AS "createdAt", j.updated_at AS "lastTriedAt"
       FROM graphile_worker.jobs j
       JOIN graphile_worker._private_jobs p ON p.id = j.id
      WHERE j.task_identifier = $1 AND j.attempts >= j.max_attempts
      ORDER BY j.id`,
    [DELIVER_MESSAGE_TASK],
  );
  return result.rows;
}
