/**
 * A login storm: does hashing slow anyone's page? `loginStorm` measures GET /mon-compte alone
 * (calm), then again while `loginConnections` connections POST /connexion at the same time
 * (storm, logins), both autocannon runs concurrent in this process. bench/run.ts calls it.
 *
 * Standalone (`npx tsx bench/storm.ts`): starts bench/server.ts like `npm run bench`, runs the
 * storm, then logins alone between two argon2 ceiling measurements, and prints the two goals of
 * issue 12 (storm p99 ÷ calm p99 ≤ 1.5, logins ÷ argon2 ceiling ≥ 0.9) and a JSON line. Same
 * settings as bench/run.ts: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_LOGIN_CONNECTIONS,
 * BENCH_HOUSEHOLDS, BENCH_ARGON2_VERIFIES, BENCH_SERVER_NODE_ARGS; STORM_REPEAT runs the storm
 * that many times in the same server (default 1).
 */
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { RANDOM_PASSWORD } from '#src/seed/random.ts';
import { measureArgon2, type Argon2Result } from './argon2-ceiling.ts';
import { startServer, stopServer } from './children.ts';
import { fetchLoginForm, logIn, loginBody, mapConcurrently, type LoginForm } from './client.ts';
import { runPhase, type CheckOutcome, type Phase, type PhaseResult } from './load.ts';

const SAMPLE_EVERY = 50;

function at<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

export interface StormOptions {
  readonly baseUrl: string;
  /** Seconds of each measurement (calm, then storm). */
  readonly duration: number;
  /** Connections of GET /mon-compte, calm and storm alike. */
  readonly connections: number;
  /** sessions[k] is the Cookie header of the person named names[k]. */
  readonly sessions: readonly string[];
  readonly names: readonly string[];
  /** Login forms (anonymous cookie + CSRF token), rotated. */
  readonly forms: readonly LoginForm[];
  /** NIRs whose password is `password`, rotated. */
  readonly nirs: readonly string[];
  readonly password: string;
  /** Connections of POST /connexion during the storm. */
  readonly loginConnections: number;
}

export interface StormResult {
  readonly calm: PhaseResult;
  readonly storm: PhaseResult;
  readonly logins: PhaseResult;
}

function monCompte(o: StormOptions): Phase {
  return {
    baseUrl: o.baseUrl,
    connections: o.connections,
    duration: o.duration,
    expectedStatus: 200,
    request: (n) => ({
      method: 'GET',
      path: '/mon-compte',
      headers: { cookie: at(o.sessions, n) },
    }),
    check: {
      every: SAMPLE_EVERY,
      verify: (n, body): CheckOutcome => {
        const shown = /data-current-user>([^<]+)</.exec(body)?.[1]?.trim() ?? null;
        if (shown === at(o.names, n)) return 'ok';
        // autocannon decodes each TCP chunk on its own: a split "é" cannot be compared.
        return body.includes('\uFFFD') ? 'unverifiable' : 'mismatch';
      },
    },
  };
}

/** POST /connexion with the right password: 303 to /mon-compte (503 when the queue is full). */
export function loginPhase(o: StormOptions, duration = o.duration): Phase {
  return {
    baseUrl: o.baseUrl,
    connections: o.loginConnections,
    duration,
    expectedStatus: 303,
    request: (n) => {
      const form = at(o.forms, n);
      return {
        method: 'POST',
        path: '/connexion',
        headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: loginBody(form, at(o.nirs, n), o.password),
      };
    },
    check: {
      every: 1,
      verify: (_n, _body, headers) => (headers.location === '/mon-compte' ? 'ok' : 'mismatch'),
    },
  };
}

/**
 * Calm: GET /mon-compte for `duration` s (after a warm-up of at most 1 s). Storm: the same
 * measurement while `loginConnections` connections log in, both started together and lasting
 * `duration` s. Bodies are sampled for the right name (`checks.mismatches`).
 */
export async function loginStorm(o: StormOptions): Promise<StormResult> {
  if (o.sessions.length === 0 || o.sessions.length !== o.names.length) {
    throw new RangeError('one name for each session, at least one');
  }
  const pages = monCompte(o);
  const warmup = Math.min(1, o.duration);
  await runPhase({ ...pages, duration: warmup, check: undefined });
  const calm = await runPhase(pages);
  const [storm, logins] = await Promise.all([runPhase(pages), runPhase(loginPhase(o))]);
  return { calm, storm, logins };
}

// ---------------------------------------------------------------------------------------------
// Standalone

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

function describe(title: string, r: PhaseResult, expected: number): string {
  const others = Object.entries(r.statuses)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, count]) => `${status}×${count}`);
  if (r.errors) others.push(`errors×${r.errors}`);
  if (r.timeouts) others.push(`timeouts×${r.timeouts}`);
  return (
    `${title.padEnd(30)} ${r.perSecond.toFixed(1).padStart(8)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms` +
    `  p99 ${r.p99.toFixed(1).padStart(6)} ms  (${r.connections} conn.; other: ${others.join(' ') || 'none'};` +
    ` checks ${r.checks.checked}, mismatches ${r.checks.mismatches})`
  );
}

async function standalone(): Promise<void> {
  const settings = z
    .object({
      BENCH_DURATION: z.coerce.number().positive().max(600).default(10),
      BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(10),
      BENCH_LOGIN_CONNECTIONS: z.coerce.number().int().min(1).max(1000).optional(),
      BENCH_HOUSEHOLDS: z.coerce.number().int().min(1).max(100_000).default(300),
      BENCH_ARGON2_VERIFIES: z.coerce.number().int().min(1).optional(),
      STORM_REPEAT: z.coerce.number().int().min(1).max(20).default(1),
    })
    .parse(process.env);
  const startedAt = performance.now();
  const progress = (message: string): void => {
    const s = ((performance.now() - startedAt) / 1000).toFixed(1);
    process.stderr.write(`[storm ${s.padStart(6)} s] ${message}\n`);
  };
  process.once('SIGINT', () => {
    void stopServer().finally(() => process.exit(130));
  });
  const cores = availableParallelism();
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    progress(`starting the server (${settings.BENCH_HOUSEHOLDS} households)`);
    const { ready, baseUrl } = await startServer(settings.BENCH_HOUSEHOLDS, {
      readyTimeoutMs: 180_000,
      progress,
    });
    const hashers = ready.login.concurrency;
    const loginConnections = settings.BENCH_LOGIN_CONNECTIONS ?? 2 * hashers;
    const sessions = await mapConcurrently(ready.adults, 2 * hashers, (a) =>
      logIn(baseUrl, a.nir, RANDOM_PASSWORD),
    );
    const forms = await mapConcurrently(
      Array.from({ length: 64 }, (_, k) => k),
      8,
      () => fetchLoginForm(baseUrl),
    );
    const options: StormOptions = {
      baseUrl,
      duration: settings.BENCH_DURATION,
      connections: settings.BENCH_CONNECTIONS,
      sessions,
      names: ready.adults.map((a) => a.name),
      forms,
      nirs: ready.adults.map((a) => a.nir),
      password: RANDOM_PASSWORD,
      loginConnections,
    };
    const storms: StormResult[] = [];
    for (let k = 0; k < settings.STORM_REPEAT; k++) {
      progress(
        `storm ${k + 1}/${settings.STORM_REPEAT}: calm then storm, ${options.duration} s each`,
      );
      storms.push(await loginStorm(options));
    }
    const verifies = settings.BENCH_ARGON2_VERIFIES ?? 100 * cores;
    const half = Math.max(1, Math.ceil(verifies / 2));
    progress(`argon2 ceiling, logins alone, argon2 ceiling`);
    const before = await measureArgon2(ready.argon2, cores, half);
    const alone = await runPhase(loginPhase(options));
    const after = await measureArgon2(ready.argon2, cores, half);
    progress('stopping the server');
    const cleanup = await stopServer();
    const ceiling: Argon2Result = before.perSecond >= after.perSecond ? before : after;
    const loadAtEnd = loadavg()[0] ?? 0;

    const out: string[] = [''];
    out.push(
      `Login storm — ${cores} cores, load ${loadAtStart.toFixed(2)} at start, ` +
        `${loadAtEnd.toFixed(2)} at end; hashing ${hashers} at once, queue ${ready.login.queueMax}; ` +
        `${loginConnections} login connections; ${options.duration} s a phase`,
    );
    storms.forEach((s, k) => {
      out.push(describe(`#${k + 1} calm GET /mon-compte`, s.calm, 200));
      out.push(describe(`#${k + 1} storm GET /mon-compte`, s.storm, 200));
      out.push(describe(`#${k + 1} storm POST /connexion`, s.logins, 303));
      out.push(
        `   → storm p99 ÷ calm p99 = ${(s.storm.p99 / s.calm.p99).toFixed(2)} (goal ≤ 1.5); ` +
          `storm logins ÷ ceiling = ${(s.logins.perSecond / ceiling.perSecond).toFixed(3)}`,
      );
    });
    out.push(describe('logins alone POST /connexion', alone, 303));
    out.push(
      `argon2 ceiling ${before.perSecond.toFixed(1)}/s before, ${after.perSecond.toFixed(1)}/s after ` +
        `→ logins alone ÷ ceiling = ${(alone.perSecond / ceiling.perSecond).toFixed(3)} (goal ≥ 0.9)`,
    );
    out.push(`Clean-up: ${cleanup}`);
    const json = {
      bench: 'mon-compte-storm',
      date: new Date().toISOString(),
      cores,
      loadAverageAtStart: round(loadAtStart, 2),
      loadAverageAtEnd: round(loadAtEnd, 2),
      hashConcurrency: hashers,
      loginConnections,
      storms: storms.map((s) => ({
        calm: {
          rps: round(s.calm.perSecond, 1),
          p50: round(s.calm.p50, 2),
          p99: round(s.calm.p99, 2),
        },
        storm: {
          rps: round(s.storm.perSecond, 1),
          p50: round(s.storm.p50, 2),
          p99: round(s.storm.p99, 2),
        },
        logins: { rps: round(s.logins.perSecond, 1), statuses: s.logins.statuses },
        p99Ratio: round(s.storm.p99 / s.calm.p99, 3),
      })),
      loginsAlone: {
        rps: round(alone.perSecond, 1),
        p99: round(alone.p99, 2),
        statuses: alone.statuses,
      },
      argon2: { before: round(before.perSecond, 1), after: round(after.perSecond, 1) },
      loginOverArgon2: round(alone.perSecond / ceiling.perSecond, 3),
    };
    process.stdout.write(out.join('\n') + '\n' + JSON.stringify(json) + '\n');
    const mismatches = storms.reduce(
      (m, s) =>
        m + s.calm.checks.mismatches + s.storm.checks.mismatches + s.logins.checks.mismatches,
      alone.checks.mismatches,
    );
    if (mismatches > 0) process.exitCode = 1;
  } catch (error: unknown) {
    process.stderr.write(
      `storm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    progress(`clean-up: ${await stopServer().catch((e: unknown) => String(e))}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) void standalone();
