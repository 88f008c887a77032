// Outside db/ and http/ on purpose: the pool drops such a connection and the error page answers
// 503, and neither layer may import the other (eslint.config.js).

/** Postgres or the network went away (not a bad query): the service is down, not broken. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = 'code' in error ? error.code : undefined;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('08') || CONNECTION_CODES.has(c)) return true;
  // Over a Unix socket, a server that is down has no socket file yet (src/db/embedded.ts).
  if (c === 'ENOENT' && 'syscall' in error && error.syscall === 'connect') return true;
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

/**
 * Postgres refused this attempt but the next may pass (deadlock, serialization, statement or
 * lock timeout): the person should retry, so a 503, not an "unexpected error". The connection
 * itself is fine, so the pool keeps the client.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code: unknown = 'code' in error ? error.code : undefined;
  return typeof code === 'string' && TRANSIENT_CODES.has(code);
}

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
]);
