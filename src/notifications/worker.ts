import { setTimeout as sleep } from 'node:timers/promises';
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

/** Between two tries to restart the runner (the database may still be down). */
const RESTART_DELAY_MS = 1_000;

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
  const start = () =>
    run({
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

  let runner: Runner;
  try {
    runner = await start();
  } catch (error) {
    await pool.end();
    throw error;
  }
  let stopping = false;
  // Read through a call: `stopping` changes while a restart awaits.
  const isStopping = () => stopping;
  let restarting: Promise<void> | null = null;
  // Workers of ours that died holding a job: known dead, so their locks can go at once.
  const dead = new Set<string>();

  // graphile-worker 0.16 does not replace a worker that could not record a job's outcome (the
  // database went away mid-job): start a fresh runner, freeing the dead workers' jobs.
  const restart = () => {
    if (stopping || restarting) return;
    log?.('warning', 'relance du service d’envoi des messages');
    restarting = (async () => {
      await runner.stop().catch(() => undefined);
      while (!isStopping()) {
        try {
          await pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [[...dead]]);
          dead.clear();
          runner = watch(await start());
          return;
        } catch {
          await sleep(RESTART_DELAY_MS);
        }
      }
    })().finally(() => {
      restarting = null;
    });
  };
  const watch = (r: Runner): Runner => {
    r.events.on('worker:fatalError', ({ worker }) => {
      dead.add(worker.workerId);
      restart();
    });
    return r;
  };
  watch(runner);

  return {
    async stop() {
      stopping = true;
      await restarting;
      // Already stopped when a restart was under way: nothing more to stop.
      await runner.stop().catch(() => undefined);
      await pool.end();
    },
  };
}
