import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, projectRoot } from '#src/config.ts';
import { withTransaction, type Queryable } from '#src/db/pool.ts';
import {
  ChannelUnavailableError,
  InvalidRecipientError,
  createNotifier,
  outboxTransport,
} from '#src/notifications/notifier.ts';
import { DELIVERY, createOutbox, deadMessages } from '#src/notifications/outbox.ts';
import { startSmtpCatcher, type SmtpCatcher } from '#src/notifications/smtp-catcher.ts';
import { startMessageWorker } from '#src/notifications/worker.ts';
import { buildDeps } from '#src/services/deps.ts';
import { sendCode } from '#src/services/one-time-codes.ts';
import {
  createTestApp,
  createTestDatabase,
  useTestApp,
  type TestDatabase,
} from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { codeIn, lastMessageTo, waitForDelivery } from '../support/outbox.ts';
import { demo, required } from '../support/personas.ts';
import { freePort } from '../support/ports.ts';

const ctx = useTestApp();

interface JobRow {
  id: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_by: string | null;
  recipient: string;
}

/** The outbox's jobs (graphile-worker keeps a job until it is sent), for one recipient or all. */
async function jobs(db: Queryable, recipient?: string): Promise<JobRow[]> {
  const result = await db.query<JobRow>(
    `SELECT j.id::text AS id, j.attempts, j.max_attempts, j.last_error, j.locked_by,
            p.payload->>'to' AS recipient
       FROM graphile_worker.jobs j JOIN graphile_worker._private_jobs p ON p.id = j.id
      WHERE $1::text IS NULL OR p.payload->>'to' = $1
      ORDER BY j.id`,
    [recipient ?? null],
  );
  return result.rows;
}

async function delivered(db: Queryable, recipient: string, subject?: string): Promise<number> {
  const result = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM dev_outbox
      WHERE recipient = $1 AND ($2::text IS NULL OR subject = $2)`,
    [recipient, subject ?? null],
  );
  return result.rows[0]?.n ?? 0;
}

/** Polls `check` every 50 ms, at most `rounds` times; returns the rounds it took. */
async function until(rounds: number, what: string, check: () => Promise<boolean>) {
  for (let round = 1; round <= rounds; round += 1) {
    if (await check()) return round;
    await sleep(50);
  }
  throw new Error(`${what}: still not true after ${rounds} polling rounds`);
}

const frDate = (iso: string) => iso.split('-').reverse().join('/');
const allChannels = createOutbox({ email: true, sms: true, courrier: true });
const message = (to: string, subject = 'Essai') => ({
  channel: 'email' as const,
  to,
  subject,
  text: `Message pour ${to}`,
});

describe('an SMTP outage', () => {
  it('keeps the password-changed notice, retries it with back-off, and delivers it once when SMTP is back', async () => {
    const db = await createTestDatabase();
    let catcher = await startSmtpCatcher({ port: 0, db: db.pool });
    const port = catcher.port;
    const t = await createTestApp(db, { SMTP_URL: catcher.url });
    try {
      const marie = demo('foyer-sans-lien');
      const email = required(marie.email, 'email');
      const subject = 'Votre mot de passe Mon Compte a été modifié';
      const b = new TestBrowser(t.app);
      await b.submit('/mot-de-passe-oublie', {
        nir: required(marie.nir, 'nir'),
        birthdate: frDate(marie.birthdate),
      });
      const mail = required(await lastMessageTo(db.pool, email, 'email'), 'code');
      await b.submit('/mot-de-passe-oublie/code', { code: codeIn(mail.body) });

      await catcher.close(); // the outage
      const done = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
        password: 'Cerisier-Rennes-2026',
      });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe('/mon-compte');

      // Attempt 1 fails at once, attempt 2 about e¹ ≈ 2.7 s later: both recorded on the job.
      await until(200, 'second attempt', async () => {
        const [job] = await jobs(db.pool, email);
        return (job?.attempts ?? 0) >= 2 && job?.locked_by === null;
      });
      const [job] = await jobs(db.pool, email);
      expect(job?.max_attempts).toBe(DELIVERY.notice.maxAttempts);
      expect(job?.last_error).toMatch(/ECONNREFUSED/);
      expect(await delivered(db.pool, email, subject)).toBe(0);

      catcher = await startSmtpCatcher({ port, db: db.pool }); // SMTP is back
      const rounds = await until(400, 'delivery after the outage', async () => {
        return (await jobs(db.pool, email)).length === 0;
      });
      expect(await delivered(db.pool, email, subject)).toBe(1);
      console.log(
        `SMTP outage: ${job?.attempts ?? 0} failed attempts ("${job?.last_error ?? ''}"), then delivered once, ${rounds} polling rounds after SMTP came back`,
      );
    } finally {
      await t.app.close();
      await catcher.close();
      await db.drop();
    }
  });
});

describe('a message out of attempts', () => {
  it('stays listed with its last error until an agent retries it', async () => {
    const db = await createTestDatabase();
    const port = await freePort(); // nothing listens there yet
    const t = await createTestApp(db, { SMTP_URL: `smtp://127.0.0.1:${String(port)}` });
    let catcher: SmtpCatcher | null = null;
    try {
      const to = 'sans-reponse@exemple.fr';
      await t.deps.outbox.enqueue(db.pool, message(to, 'Avis'), 'notice');
      await until(200, 'first attempt', async () => {
        const [job] = await jobs(db.pool, to);
        return job?.attempts === 1 && job.locked_by === null;
      });
      // Skip the hours of back-off: straight to the last attempt.
      const [job] = await jobs(db.pool, to);
      await db.pool.query(
        'SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], run_at => now(), attempts => $2)',
        [job?.id, DELIVERY.notice.maxAttempts - 1],
      );
      await until(200, 'out of attempts', async () => (await deadMessages(db.pool)).length === 1);
      const [dead] = await deadMessages(db.pool);
      expect(dead).toMatchObject({ channel: 'email', recipient: to, subject: 'Avis' });
      expect(dead?.attempts).toBe(DELIVERY.notice.maxAttempts);
      expect(dead?.lastError).toMatch(/ECONNREFUSED/);
      const listed = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/agent/cli.ts', 'messages-en-echec'],
        { cwd: projectRoot, env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: db.url } },
      );
      expect(listed.stderr).toContain('1 message(s) non remis');
      expect(listed.stdout).toMatch(
        /\temail\tsans-reponse@exemple\.fr\tAvis\t14 essais\t.*ECONNREFUSED/,
      );

      catcher = await startSmtpCatcher({ port, db: db.pool });
      await sleep(2_500); // more than the worker's poll: a dead message is not retried by itself
      expect(await delivered(db.pool, to)).toBe(0);
      await db.pool.query(
        'SELECT graphile_worker.reschedule_jobs(ARRAY[$1::bigint], run_at => now(), attempts => 0)',
        [dead?.id],
      );
      await until(200, 'retried by the agent', async () => (await jobs(db.pool, to)).length === 0);
      expect(await delivered(db.pool, to)).toBe(1);
    } finally {
      await t.app.close();
      await catcher?.close();
      await db.drop();
    }
  });
});

describe('messages written in the transaction of their effect', () => {
  it('a rolled-back transaction leaves no job and sends nothing; a committed one sends', async () => {
    await expect(
      withTransaction(ctx.pool, async (tx) => {
        await ctx.deps.outbox.enqueue(tx, message('annule@exemple.fr'), 'notice');
        throw new Error('effet refusé');
      }),
    ).rejects.toThrow('effet refusé');
    await withTransaction(ctx.pool, async (tx) => {
      await ctx.deps.outbox.enqueue(tx, message('valide@exemple.fr'), 'notice');
    });
    await waitForDelivery(ctx.pool);
    expect(await jobs(ctx.pool, 'annule@exemple.fr')).toEqual([]);
    expect(await delivered(ctx.pool, 'annule@exemple.fr')).toBe(0);
    expect(await delivered(ctx.pool, 'valide@exemple.fr')).toBe(1);
  });

  it('refuses before commit a channel that cannot send here, or a bad recipient: no code, no job', async () => {
    const production = await buildDeps(
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'http://localhost',
        DATABASE_URL: ctx.db.url,
        SESSION_KEYS: TEST_SESSION_KEY,
        SMTP_URL: ctx.db.smtpUrl,
        LOG_LEVEL: 'silent',
      }),
      ctx.pool,
    );
    const person = await ctx.pool.query<{ id: string }>(
      "SELECT id::text AS id FROM persons WHERE given_name = 'Marie'",
    );
    const personId = required(person.rows[0]?.id, 'person');
    const codes = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM one_time_codes WHERE person_id = $1',
          [personId],
        )
      ).rows[0]?.n;
    const before = await codes();
    await expect(
      sendCode(production, 'contact-validation', {
        personId,
        channel: 'sms',
        destination: '0612345678',
      }),
    ).rejects.toBeInstanceOf(ChannelUnavailableError);
    await expect(
      sendCode(ctx.deps, 'contact-validation', {
        personId,
        channel: 'email',
        destination: 'a@exemple.fr, b@exemple.fr',
      }),
    ).rejects.toBeInstanceOf(InvalidRecipientError);
    expect(await codes()).toBe(before);
    expect(await jobs(ctx.pool, '0612345678')).toEqual([]);
    expect(await jobs(ctx.pool, 'a@exemple.fr, b@exemple.fr')).toEqual([]);
    await production.notifier.close();
  });

  it('delivers a one-time code within a few polling rounds (LISTEN/NOTIFY, no waiting for a poll)', async () => {
    const people = await ctx.pool.query<{ id: string }>(
      'SELECT id::text AS id FROM persons ORDER BY id LIMIT 5',
    );
    const rounds: number[] = [];
    for (const [i, { id }] of people.rows.entries()) {
      const to = `code-${String(i)}@exemple.fr`;
      expect(
        await sendCode(ctx.deps, 'contact-validation', {
          personId: id,
          channel: 'email',
          destination: to,
        }),
      ).toBe('sent');
      rounds.push(
        await until(400, `code to ${to}`, async () => (await delivered(ctx.pool, to)) === 1),
      );
    }
    console.log(`one-time codes: polling rounds (50 ms apart) until arrival: ${rounds.join(', ')}`);
    expect(rounds).toHaveLength(5);
    // The worker's poll (2 s = 40 rounds) would leave most codes above this bound.
    expect(Math.max(...rounds)).toBeLessThanOrEqual(20);
  });
});

describe('a worker restarted mid-queue', () => {
  const N = 40;
  const recipients = Array.from({ length: N }, (_, i) => `file-${String(i)}@exemple.fr`);
  const notifierFor = (db: TestDatabase, smtpUrl: string) =>
    createNotifier({
      smtpUrl,
      mailFrom: 'Mon Compte <ne-pas-repondre@moncompte.localhost>',
      sms: outboxTransport(db.pool, 'sms'),
      courrier: outboxTransport(db.pool, 'courrier'),
    });

  it('stopped gracefully: loses nothing and sends each message once', async () => {
    const db = await createTestDatabase();
    const notifier = notifierFor(db, db.smtpUrl);
    try {
      for (const to of recipients) await allChannels.enqueue(db.pool, message(to), 'notice');
      const first = await startMessageWorker({ databaseUrl: db.url, notifier });
      await until(400, 'some messages sent', async () => (await jobs(db.pool)).length <= N - 5);
      await first.stop();
      const left = await jobs(db.pool);
      expect(left.every((j) => j.locked_by === null)).toBe(true);
      const sentBefore = (
        await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dev_outbox')
      ).rows[0]?.n;
      expect((sentBefore ?? 0) + left.length).toBe(N);
      expect(left.length).toBeGreaterThan(0);

      const second = await startMessageWorker({ databaseUrl: db.url, notifier });
      await until(400, 'all sent', async () => (await jobs(db.pool)).length === 0);
      await second.stop();
      const counts = await Promise.all(recipients.map((to) => delivered(db.pool, to)));
      console.log(
        `graceful restart: ${String(sentBefore)} sent before the stop, ${String(left.length)} after the restart; per recipient: ${[...new Set(counts)].join(',')}`,
      );
      expect(counts).toEqual(recipients.map(() => 1));
    } finally {
      await notifier.close();
      await db.drop();
    }
  });

  it('whose job outcome cannot be recorded (database fault): replaced, the job freed and sent again', async () => {
    const db = await createTestDatabase();
    const catcher = await startSmtpCatcher({
      port: 0,
      db: db.pool,
      // Once the message is accepted, the database refuses, once, to delete the job.
      onStored: async () => {
        await db.pool.query(`
          CREATE SEQUENCE IF NOT EXISTS fault_once;
          CREATE OR REPLACE FUNCTION refuse_once() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF nextval('fault_once') = 1 THEN RAISE EXCEPTION 'panne simulée'; END IF;
            RETURN OLD;
          END $$;
          CREATE OR REPLACE TRIGGER refuse_once BEFORE DELETE ON graphile_worker._private_jobs
            FOR EACH ROW EXECUTE FUNCTION refuse_once();`);
      },
    });
    const notifier = notifierFor(db, catcher.url);
    const logged: string[] = [];
    const worker = await startMessageWorker({
      databaseUrl: db.url,
      notifier,
      log: (_level, m) => logged.push(m),
    });
    try {
      const to = 'panne-base@exemple.fr';
      await allChannels.enqueue(db.pool, message(to), 'notice');
      const rounds = await until(400, 'sent after the fault', async () => {
        return (await jobs(db.pool)).length === 0;
      });
      console.log(
        `job outcome refused once: runner restarted, message sent ${String(await delivered(db.pool, to))} times, ${String(rounds)} polling rounds`,
      );
      expect(logged.filter((m) => m.includes('relance'))).toHaveLength(1);
      expect(await delivered(db.pool, to)).toBe(2);
    } finally {
      await worker.stop();
      await notifier.close();
      await catcher.close();
      await db.drop();
    }
  });

  it('killed after the SMTP server accepted a message: nothing lost, that one message sent twice (at-least-once)', async () => {
    const db = await createTestDatabase();
    let worker: ChildProcess | null = null;
    let stored = 0;
    const catcher = await startSmtpCatcher({
      port: 0,
      db: db.pool,
      onStored: () => {
        stored += 1;
        // Stored, its "250 OK" not yet sent: the worker cannot have marked the job done.
        if (stored === 3) worker?.kill('SIGKILL');
      },
    });
    const notifier = notifierFor(db, catcher.url);
    try {
      for (const to of recipients) await allChannels.enqueue(db.pool, message(to), 'notice');
      // One process (no tsx wrapper around it), so that SIGKILL kills the worker itself.
      worker = spawn(
        process.execPath,
        ['--import', 'tsx', 'test/support/message-worker-process.ts'],
        { cwd: projectRoot, env: { ...process.env, DATABASE_URL: db.url, SMTP_URL: catcher.url } },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) => {
        worker?.once('exit', (_code, signal) => {
          resolve(signal);
        });
      });
      expect(await exited).toBe('SIGKILL');
      expect(stored).toBe(3);

      const [crashed] = (await jobs(db.pool)).filter((j) => j.locked_by !== null);
      const inFlight = required(crashed, 'the job of the killed worker');
      expect(await delivered(db.pool, inFlight.recipient)).toBe(1);

      const next = await startMessageWorker({ databaseUrl: db.url, notifier });
      await until(400, 'the others sent', async () => (await jobs(db.pool)).length === 1);
      // Still queued, locked by the dead worker: graphile-worker frees it after 4 hours, an
      // agent at once (ADR 0009). Not lost.
      expect((await jobs(db.pool))[0]?.id).toBe(inFlight.id);
      await db.pool.query('SELECT graphile_worker.force_unlock_workers(ARRAY[$1])', [
        inFlight.locked_by,
      ]);
      await until(400, 'the unlocked one sent', async () => (await jobs(db.pool)).length === 0);
      await next.stop();

      const counts = await Promise.all(recipients.map((to) => delivered(db.pool, to)));
      const twice = recipients.filter((_, i) => counts[i] === 2);
      console.log(
        `worker killed mid-send: ${String(N)} messages, ${String(counts.filter((c) => c === 1).length)} sent once, ${String(twice.length)} sent twice (${twice.join(', ')}), ${String(counts.filter((c) => c === 0).length)} lost`,
      );
      expect(twice).toEqual([inFlight.recipient]);
      expect(counts.filter((c) => c === 1)).toHaveLength(N - 1);
      expect(await deadMessages(db.pool)).toEqual([]);
    } finally {
      worker?.kill('SIGKILL');
      await notifier.close();
      await catcher.close();
      await db.drop();
    }
  });
});
