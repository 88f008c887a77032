import pg from 'pg';
import type { Config } from '#src/config.ts';
import { embeddedDatabaseUrl, startEmbeddedPostgres, type EmbeddedDatabase } from './embedded.ts';
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
 * process (the running portal, say) already started it, started here if not.
 */
export async function openDatabase(
  config: Config,
  log: (m: string) => void = () => undefined,
): Promise<Database> {
  if (config.databaseUrl) {
    const pool = createPool(config.databaseUrl);
    return { pool, url: config.databaseUrl, description: 'DATABASE_URL', close: () => pool.end() };
  }
  let embedded: EmbeddedDatabase | null = null;
  let url = embeddedDatabaseUrl(config.embedded.port);
  if (!(await reachable(url))) {
    embedded = await startEmbeddedPostgres({
      dir: config.embedded.dir,
      port: config.embedded.port,
      log,
    });
    url = embedded.url;
  }
  const pool = createPool(url);
  const server = embedded;
  return {
    pool,
    url,
    description: `Postgres embarqué (${config.embedded.dir}, port ${config.embedded.port})`,
    close: async () => {
      await pool.end();
      await server?.stop();
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
