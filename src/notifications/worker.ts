import { Logger, run, type Runner } from 'graphile-worker';
import { z } from 'zod';
import { createPool } from '#src/db/pool.ts';
import type { Notifier } from './notifier.ts';
import { DELIVER_MESSAGE_TASK } from './outbox.ts';

export interface MessageWorker {
  /** Stops taking jobs and waits for the messages being sent (graceful); then closes its pool. */
  stop(): Promise<void>;
}

const payload = z.object({
  channel: z.enum(['email', 'sms', 'courrier']),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
});

/**
 * Delivers the messages of the outbox (graphile-worker jobs) through the notifier: picked up at
 * once through LISTEN/NOTIFY, retried with exponential back-off when the transport fails.
 * Its own small pool, so that a slow SMTP server never holds the pages' connections.
 */
export async function startMessageWorker(options: {
  databaseUrl: string;
  notifier: Notifier;
  concurrency?: number;
  /** Warnings and errors (a failed attempt, a lost LISTEN connection); nothing else. */
  log?: (level: 'error' | 'warning', message: string) => void;
}): Promise<MessageWorker> {
  const concurrency = options.concurrency ?? 2;
  const pool = createPool(options.databaseUrl, concurrency + 2);
  const log = options.log;
  const logger = new Logger(() => (level, message) => {
    const l: string = level;
    if (log && (l === 'error' || l === 'warning')) log(l, message);
  });
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      concurrency,
      // The process's own shutdown sequence stops the worker (src/main.ts), not its signals.
      noHandleSignals: true,
      logger,
      taskList: {
        [DELIVER_MESSAGE_TASK]: async (job) => {
          await options.notifier.send(payload.parse(job));
        },
      },
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
  return {
    async stop() {
      await runner.stop();
      await pool.end();
    },
  };
}
