import path from 'node:path';
import { Logger, runMigrations } from 'graphile-worker';
import Postgrator from 'postgrator';
import { projectRoot } from '#src/config.ts';
import type { Pool } from './pool.ts';

const migrationPattern = path.join(projectRoot, 'migrations', '*.sql');
// Arbitrary constant: serialises concurrent starts of several instances on one database.
const MIGRATION_LOCK = 4_242_001;
const quietLogger = new Logger(() => () => undefined);

export async function migrate(pool: Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const postgrator = new Postgrator({
      migrationPattern,
      driver: 'pg',
      schemaTable: 'schema_version',
      execQuery: (query) => client.query(query),
    });
    const applied = await postgrator.migrate();
    // The message outbox's job queue installs (and upgrades) its own schema, graphile_worker.
    await runMigrations({ pgPool: pool, logger: quietLogger });
    return applied.length;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
