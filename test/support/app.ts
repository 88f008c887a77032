import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '#src/app.ts';
import type { Env } from '#src/config.ts';
import { createPool, type Pool } from '#src/db/pool.ts';
import { buildServices, type Services } from '#src/services/index.ts';
import { testConfig } from './config.ts';

export interface TestDatabase {
  readonly url: string;
  readonly pool: Pool;
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
  return {
    url: url.toString(),
    pool,
    drop: async () => {
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
  readonly services: Services;
}

/** The real app on a test database; `env` overrides configuration (queue sizes, timeouts…). */
export async function createTestApp(db: TestDatabase, env: Env = {}): Promise<TestApp> {
  const services = await buildServices(testConfig(db.url, env), db.pool);
  const app = await buildApp(services);
  await app.ready();
  return { app, services };
}
