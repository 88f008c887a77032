/**
 * The benchmarked server, run by bench/run.ts as a child process (`node --import tsx`): a
 * throwaway embedded Postgres, migrated and seeded with random households, and the real app plus
 * one bench-only route. Stops (and deletes the database) on SIGTERM, SIGINT or when stdin closes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '#src/app.ts';
import { loadConfig } from '#src/config.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#src/db/embedded.ts';
import { migrate } from '#src/db/migrate.ts';
import { createPool, type Pool } from '#src/db/pool.ts';
import { displayName } from '#src/domain/names.ts';
import { explainPages, formatExplained } from '#src/db/explain-pages.ts';
import {
  BULK_PAYMENT_MONTHS,
  LARGE_RUN,
  RANDOM_PASSWORD,
  seedRandomHouseholds,
} from '#src/seed/random.ts';
import { buildDeps } from '#src/services/deps.ts';
import { formatServerMessage } from './protocol.ts';

/** Same size as the portal's own pool (src/db/connect.ts uses createPool's default). */
const DB_POOL_MAX = 10;
/** Hashing settings the operator may tune; everything else is fixed for the bench. */
const PASSED_THROUGH = [
  'ARGON2_MEMORY_KIB',
  'ARGON2_TIME_COST',
  'ARGON2_PARALLELISM',
  'LOGIN_CONCURRENCY',
  'LOGIN_QUEUE_MAX',
  'LOGIN_HASHING_NICE',
] as const;

let dbStarting: Promise<EmbeddedDatabase> | null = null;
let pool: Pool | null = null;
let app: FastifyInstance | null = null;
let stopping: Promise<void> | null = null;

function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    await app?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    const db = await dbStarting?.catch(() => null);
    await db?.stop().catch(() => undefined);
  })().finally(() => process.exit(code));
  return stopping;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}

async function main(): Promise<void> {
  const households = Number(process.env.BENCH_HOUSEHOLDS ?? '300');
  if (!Number.isInteger(households) || households < 1) {
    throw new Error('BENCH_HOUSEHOLDS: a positive integer');
  }
  const pgDir = mkdtempSync(path.join(tmpdir(), 'moncompte-bench-pg-'));
  const pgPort = await freePort();
  process.stdout.write(formatServerMessage({ type: 'starting', pgDir, pgPort }));

  dbStarting = startEmbeddedPostgres({ dir: pgDir, port: pgPort, persistent: false });
  const db = await dbStarting;
  if (stopping) return;
  pool = createPool(db.url, DB_POOL_MAX);
  await migrate(pool);

  const passed = Object.fromEntries(PASSED_THROUGH.map((k) => [k, process.env[k]]));
  const config = loadConfig({
    ...passed,
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    SESSION_KEYS: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
  });
  const services = await buildDeps(config, pool);

  const passwordHash = await services.hasher.hash(RANDOM_PASSWORD);
  const seedStarted = performance.now();
  let lastReport = seedStarted;
  // BENCH_ADULTS_SAMPLE: only the adults of that many households, spread evenly over the whole
  // table, go to the runner (a million households make 1.6 million adults: far too many to log
  // in, or to send); at scale the others get the latest month paid (src/seed/random.ts).
  const sample = Number(process.env.BENCH_ADULTS_SAMPLE ?? '0');
  const seeded = await seedRandomHouseholds(pool, {
    count: households,
    passwordHash,
    ...(sample > 0 ? { sample } : {}),
    ...(households > LARGE_RUN ? { paymentMonths: BULK_PAYMENT_MONTHS } : {}),
    // Progress on stderr (the runner shows it) at most every 5 s: 1,000,000 takes minutes.
    onProgress: (done) => {
      const now = performance.now();
      if (now - lastReport < 5_000 && done < households) return;
      lastReport = now;
      const seconds = (now - seedStarted) / 1000;
      process.stderr.write(
        `[server] seeding: ${done.toLocaleString('en')} / ${households.toLocaleString('en')} ` +
          `households, ${seconds.toFixed(0)} s\n`,
      );
    },
  });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  // Fresh statistics, as a database that has lived would have: the planner's choices at scale.
  const analyzeStarted = performance.now();
  await pool.query('ANALYZE');
  const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
  const adults = seeded;

  // The scale mode (`npm run bench -- --scale`): EXPLAIN of each page's statements at this size,
  // sequential scans of large tables flagged (src/db/explain-pages.ts), on stderr.
  if (process.env.BENCH_EXPLAIN === '1') {
    process.stderr.write(`${formatExplained(await explainPages(pool))}\n`);
  }

  app = await buildApp(services);
  // The framework ceiling: every root hook of the app (the session is the personal scope's,
  // ADR 0006), no database, a constant body.
  app.get('/bench/ping', async (_request, reply) => reply.type('text/plain').send('pong'));
  // The memory figure of each phase (bench/measure.ts): a full collection first (the runner
  // starts this process with --expose-gc), so the heap left is what the server keeps, not the
  // garbage of the last phase. Bench-only, like /bench/ping: the app itself has no such route.
  app.get('/bench/heap', async (_request, reply) => {
    const collect: unknown = Reflect.get(globalThis, 'gc');
    if (typeof collect !== 'function') return reply.code(501).send({ error: 'no --expose-gc' });
    Reflect.apply(collect, globalThis, []);
    return reply.send({ heapUsedMiB: process.memoryUsage().heapUsed / 1024 / 1024 });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || !address) throw new Error('no listening address');

  process.stdout.write(
    formatServerMessage({
      type: 'ready',
      port: address.port,
      households,
      seedSeconds,
      analyzeSeconds,
      adultsTotal: seeded.length,
      dbPoolMax: DB_POOL_MAX,
      argon2: config.argon2,
      login: config.login,
      adults: adults.map((a) => ({
        nir: a.nir,
        name: displayName(a.givenName, a.familyName),
        allocataire: a.role === 'allocataire',
      })),
    }),
  );
}

process.once('SIGTERM', () => void shutdown(0));
process.once('SIGINT', () => void shutdown(0));
// The parent gone (even killed outright), its end of the pipe closes: stop too.
process.stdin.on('end', () => void shutdown(0));
process.stdin.resume();

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/server: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  void shutdown(1);
});
