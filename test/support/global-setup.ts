import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '#src/db/embedded.ts';
import { createPool } from '#src/db/pool.ts';
import { migrate } from '#src/db/migrate.ts';
import { seedDemo } from '#src/seed/demo.ts';
import { testConfig } from './config.ts';
import { buildDeps } from '#src/services/deps.ts';
import { freePort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A server where each test file clones its own database from `templateDatabase`. */
    adminUrl: string;
    templateDatabase: string;
  }
}

/**
 * One Postgres for the run: the embedded one in a throwaway directory, or the server of
 * DATABASE_URL. A template database is migrated and seeded once; test files clone it.
 */
export async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), 'moncompte-test-pg-'));
    embedded = await startEmbeddedPostgres({
      dir,
      port: await freePort(),
      persistent: false,
      database: 'postgres',
    });
    adminUrl = embedded.url;
  }
  const template = `moncompte_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const pool = createPool(templateUrl.toString());
  await migrate(pool);
  const services = await buildDeps(testConfig(templateUrl.toString()), pool);
  await seedDemo(pool, services.hasher);
  await pool.end();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template}`).catch(() => undefined);
    await admin.end();
    await embedded?.stop();
  };
}
