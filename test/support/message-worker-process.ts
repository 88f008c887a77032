// A message worker in a process of its own, for the test that kills one mid-send
// (test/integration/outbox.test.ts). Env: DATABASE_URL, SMTP_URL. Prints "prêt" once started.
import { createPool } from '#src/db/pool.ts';
import { createNotifier, outboxTransport } from '#src/notifications/notifier.ts';
import { startMessageWorker } from '#src/notifications/worker.ts';

const databaseUrl = process.env.DATABASE_URL ?? '';
const pool = createPool(databaseUrl, 2);
const notifier = createNotifier({
  smtpUrl: process.env.SMTP_URL,
  mailFrom: 'Mon Compte <ne-pas-repondre@moncompte.localhost>',
  sms: outboxTransport(pool, 'sms'),
  courrier: outboxTransport(pool, 'courrier'),
});
await startMessageWorker({ databaseUrl, notifier, concurrency: 1 });
process.stdout.write('prêt\n');
