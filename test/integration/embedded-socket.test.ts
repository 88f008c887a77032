// Issue 12: the embedded Postgres is reached over its Unix socket (no TCP stack on each of a
// page's round trips); loopback TCP stays open for other processes and for DATABASE_URL-like
// URLs without the socket.
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isConnectionError } from '#src/connection-errors.ts';
import { embeddedDatabaseUrl, socketDirFor } from '#src/db/embedded.ts';

async function clientAddress(connectionString: string): Promise<string | null> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const r = await client.query<{ a: string | null }>('SELECT inet_client_addr()::text AS a');
    return r.rows[0]?.a ?? null;
  } finally {
    await client.end();
  }
}

describe.runIf(!process.env.DATABASE_URL)('the embedded Postgres', () => {
  it('is reached over its Unix socket, and still over loopback TCP', async () => {
    const url = new URL(inject('adminUrl'));
    const socketDir = url.searchParams.get('host');
    expect(socketDir).toMatch(/^\//);
    // No client address: a Unix socket.
    expect(await clientAddress(url.toString())).toBeNull();
    url.search = '';
    expect(await clientAddress(url.toString())).toBe('127.0.0.1/32');
  });
});

describe('a server down behind its socket', () => {
  it('is a connection error (the French 503), a missing file elsewhere is not', async () => {
    const client = new pg.Client({
      connectionString: embeddedDatabaseUrl(5432, 'moncompte', '/nonexistent-moncompte-socket'),
    });
    const refused: unknown = await client.connect().then(
      () => null,
      (error: unknown) => error,
    );
    expect(String(refused)).toMatch(/ENOENT/);
    expect(isConnectionError(refused)).toBe(true);
    let missing: unknown = null;
    try {
      readFileSync('/nonexistent-moncompte-file');
    } catch (error) {
      missing = error;
    }
    expect(isConnectionError(missing)).toBe(false);
  });
});

describe('the socket directory', () => {
  it('is the data directory when the socket path fits, none otherwise', () => {
    expect(socketDirFor('/var/lib/mon-compte/data-x', 5432)).toBe('/var/lib/mon-compte/data-x');
    expect(socketDirFor(`/tmp/${'d'.repeat(100)}`, 5432)).toBeNull();
    expect(socketDirFor('/tmp/a,b', 5432)).toBeNull();
    expect(socketDirFor('/tmp/a b', 5432)).toBeNull();
  });

  it('goes into the URL as pg’s host parameter, TCP otherwise', () => {
    const dir = path.join('/tmp', 'moncompte-pg');
    expect(embeddedDatabaseUrl(5432, 'moncompte', dir)).toBe(
      'postgres://moncompte:moncompte-local@127.0.0.1:5432/moncompte?host=%2Ftmp%2Fmoncompte-pg',
    );
    expect(embeddedDatabaseUrl(5432)).toBe(
      'postgres://moncompte:moncompte-local@127.0.0.1:5432/moncompte',
    );
  });
});
