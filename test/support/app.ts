import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { buildApp } from '#src/app.ts';
import type { Env } from '#src/config.ts';
import { createPool, type Pool } from '#src/db/pool.ts';
import { startSmtpCatcher } from '#src/notifications/smtp-catcher.ts';
import { startMessageWorker } from '#src/notifications/worker.ts';
import { buildDeps, type Deps } from '#src/services/deps.ts';
import { testConfig } from './config.ts';

export interface TestDatabase {
  readonly url: string;
  readonly pool: Pool;
  /** A real SMTP server of this database's own, writing what it receives to `dev_outbox`. */
  readonly smtpUrl: string;
  drop(): Promise<void>;
}

/** A database of this test file's own, cloned from the migrated and seeded template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `moncompte_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 20);
  const catcher = await startSmtpCatcher({ port: 0, db: pool });
  return {
    url: url.toString(),
    pool,
    smtpUrl: catcher.url,
    drop: async () => {
      await catcher.close();
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}

export interface TestApp {
  readonly app: FastifyInstance;
  /** The dependencies the app's use cases are bound to (the pool, the hasher, the outbox…). */
  readonly deps: Deps;
}

/**
 * The real app on a test database, with its message worker (stopped when the app closes);
 * `env` overrides configuration (queue sizes, timeouts…), `now` the clock of the services
 * (throttling delays and code expiry without waiting).
 */
export async function createTestApp(
  db: TestDatabase,
  env: Env = {},
  options: { now?: () => Date } = {},
): Promise<TestApp> {
  const built = await buildDeps(testConfig(db.url, { SMTP_URL: db.smtpUrl, ...env }), db.pool);
  const deps = options.now ? { ...built, now: options.now } : built;
  const app = await buildApp(deps);
  const worker = await startMessageWorker({ databaseUrl: db.url, notifier: deps.notifier });
  app.addHook('onClose', async () => {
    await worker.stop();
    await deps.notifier.close();
  });
  await app.ready();
  return { app, deps };
}

export interface TestContext {
  readonly db: TestDatabase;
  readonly pool: Pool;
  readonly app: FastifyInstance;
  readonly deps: Deps;
}

/**
 * The usual set-up of an integration test file: its own database and the real app on it,
 * created before the file's tests and closed after them; `now` as in createTestApp. Read the
 * fields inside tests only.
 */
export function useTestApp(env: Env = {}, options: { now?: () => Date } = {}): TestContext {
  let db: TestDatabase | null = null;
  let t: TestApp | null = null;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createTestApp(db, env, options);
  });
  afterAll(async () => {
    await t?.app.close();
    await db?.drop();
  });
  const ready = () => {
    if (!db || !t) throw new Error('useTestApp: read its fields inside a test');
    return { db, t };
  };
  return {
    get db() {
      return ready().db;
    },
    get pool() {
      return ready().db.pool;
    },
    get app() {
      return ready().t.app;
    },
    get deps() {
      return ready().t.deps;
    },
  };
}
