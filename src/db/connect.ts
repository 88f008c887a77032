import pg from 'pg';
import type { Config } from '#src/config.ts';
import { createPool, type Pool } from './pool.ts';

export interface Database {
  readonly pool: Pool;
  readonly url: string;
  /** Where the data lives, for the start-up banner. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * `DATABASE_URL` when set; otherwise the embedded Postgres of the project, joined if another
 * process (the running portal, say) already started it, started here if not. `close` ends the
 * pool, then stops the embedded server if this process started it.
 */
export async function openDatabase(
  config: Config,
  log: (m: string) => void = () => undefined,
): Promise<Database> {
  if (config.databaseUrl) {
    const pool = createPool(config.databaseUrl);
    return { pool, url: config.databaseUrl, description: 'DATABASE_URL', close: () => pool.end() };
  }
  // Loaded only here: with DATABASE_URL (production) the embedded server's code is never loaded.
  const { embeddedDatabaseUrl, startEmbeddedPostgres } = await import('./embedded.ts');
  const joinUrl = embeddedDatabaseUrl(config.embedded.port);
  const embedded = (await reachable(joinUrl))
    ? null
    : await startEmbeddedPostgres({
        dir: config.embedded.dir,
        port: config.embedded.port,
        relocatable: config.embedded.dirIsDefault,
        log,
      });
  const url = embedded?.url ?? joinUrl;
  const pool = createPool(url);
  const port = String(config.embedded.port);
  return {
    pool,
    url,
    description: embedded
      ? `Postgres embarqué (${embedded.dataDir}, port ${port})`
      : `Postgres embarqué déjà démarré par un autre processus (port ${port})`,
    close: async () => {
      await pool.end();
      await embedded?.stop();
    },
  };
}

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
