import pg from 'pg';

export type Pool = pg.Pool;
/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

// DATE columns come back as 'YYYY-MM-DD' strings, not as local-midnight Date objects.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export function createPool(connectionString: string, max = 10): Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 10_000,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // A checked-out client (a transaction between two awaits) emits 'error' on the client, not the
  // pool, when Postgres goes away (57P01): unhandled, it would kill the process. The query in
  // progress, or the next one, rejects on its own, and the request gets the 503 page.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function withTransaction<T>(
  pool: Pool,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // A broken connection must leave the pool rather than go back to it for the next request.
    client.release(isConnectionError(error) ? asError(error) : undefined);
    throw error;
  }
}

/** Postgres or the network went away (not a bad query): the service is down, not broken. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = 'code' in error ? error.code : undefined;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('08') || CONNECTION_CODES.has(c)) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
]);

// pg reports these without a code.
const CONNECTION_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|not queryable|Client was closed|Cannot use a pool after calling end/i;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
