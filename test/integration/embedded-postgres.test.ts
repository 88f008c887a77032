// Issue 13 item 8: the embedded Postgres starts from a clone under a 0700 directory (a root
// user's /root), and every start-up failure says in French what is wrong and how to fix it.
// As root, Postgres runs as the `postgres` user, who cannot traverse such a directory; as any
// other user, the same scenarios must work (or fail) as plainly.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '#src/config.ts';
import {
  EmbeddedPostgresError,
  ROOT_RUNTIME_DIR,
  startEmbeddedPostgres,
} from '#src/db/embedded.ts';
import { freePort } from '../support/ports.ts';

const asRoot = process.getuid?.() === 0;
const made: string[] = [];
afterAll(() => {
  for (const dir of made.reverse()) {
    if (!existsSync(dir)) continue;
    chmodSync(dir, 0o700);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A directory like /root: mode 0700, owned by whoever runs the tests. */
function privateParent(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'moncompte-private-'));
  chmodSync(dir, 0o700);
  made.push(dir);
  return dir;
}

/** A French sentence, not a stack trace. */
function expectWords(message: string): void {
  expect(message).toMatch(/Postgres embarqué/);
  expect(message).not.toMatch(/^\s+at /m);
}

describe('the embedded Postgres of a clone under a 0700 directory', () => {
  it('starts with the default data directory, from where the server user can reach it', async () => {
    const clone = path.join(privateParent(), 'mon-compte');
    const wanted = path.join(clone, '.data', 'postgres');
    const db = await startEmbeddedPostgres({
      dir: wanted,
      port: await freePort(),
      relocatable: true,
      persistent: false,
    });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const where = await client.query<{ data_directory: string }>('SHOW data_directory');
      await client.end();
      expect(where.rows[0]?.data_directory).toBe(db.dataDir);
      if (asRoot) {
        // Data and binaries moved to where the postgres user can read, outside the clone.
        expect(db.dataDir.startsWith(`${ROOT_RUNTIME_DIR}/`)).toBe(true);
        expect(db.binDir.startsWith(`${ROOT_RUNTIME_DIR}/`)).toBe(true);
      } else {
        // The owner of the clone runs Postgres: everything stays where it was asked.
        expect(db.dataDir).toBe(wanted);
        expect(db.binDir).toContain(`${path.sep}node_modules${path.sep}`);
      }
    } finally {
      await db.stop();
    }
  });

  it('refuses a data directory chosen explicitly that cannot be used, saying why and what to do', async () => {
    const locked = path.join(privateParent(), 'verrouille');
    mkdirSync(locked);
    // Readable and traversable by its owner only, writable by no one: the postgres user cannot
    // traverse it (as root), its owner cannot create the data directory inside (otherwise).
    chmodSync(locked, 0o500);
    made.push(locked);
    const attempt = startEmbeddedPostgres({
      dir: path.join(locked, 'postgres'),
      port: await freePort(),
      relocatable: false,
    });
    await expect(attempt).rejects.toBeInstanceOf(EmbeddedPostgresError);
    const message = await attempt.then(
      () => '',
      (error: unknown) => (error instanceof Error ? error.message : ''),
    );
    expectWords(message);
    expect(message).toContain(locked);
    expect(message).toContain('EMBEDDED_PG_DIR');
    expect(message).toContain('DATABASE_URL');
  });

  it('names the port when another program holds it', async () => {
    const squatter = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    try {
      const dir = mkdtempSync(path.join(tmpdir(), 'moncompte-port-pg-'));
      made.push(dir);
      const attempt = startEmbeddedPostgres({
        dir,
        port,
        persistent: false,
      });
      const message = await attempt.then(
        () => '',
        (error: unknown) => (error instanceof Error ? error.message : ''),
      );
      expectWords(message);
      expect(message).toContain(`Le port ${String(port)} est déjà utilisé`);
      expect(message).toContain('EMBEDDED_PG_PORT');
    } finally {
      squatter.close();
    }
  });
});

describe('npm start when the embedded Postgres cannot start', () => {
  it('prints a French explanation and exits 1, with no stack trace', async () => {
    const locked = path.join(privateParent(), 'verrouille');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    made.push(locked);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        PORT: String(await freePort()),
        EMBEDDED_PG_DIR: path.join(locked, 'postgres'),
        EMBEDDED_PG_PORT: String(await freePort()),
        SESSION_KEYS: Buffer.alloc(32, 7).toString('base64'),
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Démarrage impossible : /m);
    expectWords(stderr);
    expect(stderr).toContain('EMBEDDED_PG_DIR');
  });
});
