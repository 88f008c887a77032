/**
 * `npm run bench`: the server in a child process on a throwaway embedded Postgres, autocannon
 * here, loopback only, every phase bounded in time. Prints a table and a final JSON line; asserts
 * nothing about speed. Settings (environment): BENCH_DURATION (seconds a phase, 10),
 * BENCH_CONNECTIONS (GET phases, 10), BENCH_LOGIN_CONNECTIONS (POST /connexion, twice the
 * hashing concurrency), BENCH_HOUSEHOLDS (300), BENCH_ARGON2_VERIFIES (100 a core, half
 * just before (c), half just after).
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { z } from 'zod';
import { RANDOM_PASSWORD } from '#src/seed/random.ts';
import { measureArgon2, type Argon2Result } from './argon2-ceiling.ts';
import { fetchLoginForm, logIn, loginBody, mapConcurrently } from './client.ts';
import { runPhase, type CheckOutcome, type Phase, type PhaseResult } from './load.ts';
import { startServer as startChild, stopServer } from './child.ts';
import type { ReadyMessage } from './protocol.ts';

const SAMPLE_EVERY = 50;
const LOGIN_FORMS = 64;

const settings = z
  .object({
    BENCH_DURATION: z.coerce.number().positive().max(600).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(10),
    BENCH_LOGIN_CONNECTIONS: z.coerce.number().int().min(1).max(1000).optional(),
    BENCH_HOUSEHOLDS: z.coerce.number().int().min(1).max(100_000).default(300),
    BENCH_ARGON2_VERIFIES: z.coerce.number().int().min(1).optional(),
  })
  .parse(process.env);

const startedAt = performance.now();
const elapsed = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
const progress = (message: string): void => {
  process.stderr.write(`[bench ${elapsed().padStart(7)}] ${message}\n`);
};
const startServer = (households: number) => startChild(households, progress);

// ---------------------------------------------------------------------------------------------
// Phases

function at<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

async function timed(title: string, phase: Phase, warmup: number): Promise<PhaseResult> {
  if (warmup > 0) {
    progress(`${title}: warm-up ${warmup} s`);
    await runPhase({ ...phase, duration: warmup, check: undefined });
  }
  progress(`${title}: ${phase.duration} s, ${phase.connections} connections`);
  return runPhase(phase);
}

interface Mismatch {
  readonly expected: string;
  readonly shown: string | null;
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const load = loadavg()[0] ?? 0;
  const duration = settings.BENCH_DURATION;
  const warmup = Math.min(1, duration);
  const connections = settings.BENCH_CONNECTIONS;

  progress(`starting the server (embedded Postgres, ${settings.BENCH_HOUSEHOLDS} households)`);
  const { ready, baseUrl } = await startServer(settings.BENCH_HOUSEHOLDS);
  const adults = ready.adults;
  if (adults.length === 0) throw new Error('no account was seeded');
  const hashers = ready.login.concurrency;
  const loginConnections = settings.BENCH_LOGIN_CONNECTIONS ?? 2 * hashers;
  const argonVerifies = settings.BENCH_ARGON2_VERIFIES ?? 100 * cores;
  progress(`server ready on ${baseUrl}; logging ${adults.length} accounts in over HTTP`);

  const sessions = await mapConcurrently(adults, 2 * hashers, (a) =>
    logIn(baseUrl, a.nir, RANDOM_PASSWORD),
  );
  const forms = await mapConcurrently(
    Array.from({ length: LOGIN_FORMS }, (_, k) => k),
    8,
    () => fetchLoginForm(baseUrl),
  );
  progress(`${sessions.length} sessions and ${forms.length} login forms ready`);

  const ping = await timed(
    '(a) GET /bench/ping',
    {
      baseUrl,
      connections,
      duration,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: '/bench/ping' }),
      check: { every: SAMPLE_EVERY, verify: (_n, body) => (body === 'pong' ? 'ok' : 'mismatch') },
    },
    warmup,
  );
  const sante = await timed(
    '(a) GET /sante',
    {
      baseUrl,
      connections,
      duration,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: '/sante' }),
      check: {
        every: SAMPLE_EVERY,
        verify: (_n, body) => (body.includes('"status":"ok"') ? 'ok' : 'mismatch'),
      },
    },
    warmup,
  );

  const mismatches: Mismatch[] = [];
  const monCompte = await timed(
    '(b) GET /mon-compte',
    {
      baseUrl,
      connections,
      duration,
      expectedStatus: 200,
      request: (n) => ({
        method: 'GET',
        path: '/mon-compte',
        headers: { cookie: at(sessions, n) },
      }),
      check: {
        every: SAMPLE_EVERY,
        verify: (n, body): CheckOutcome => {
          const expected = at(adults, n).name;
          const shown = /data-current-user>([^<]+)</.exec(body)?.[1]?.trim() ?? null;
          if (shown === expected) return 'ok';
          // autocannon decodes each TCP chunk on its own: a split "é" cannot be compared.
          if (body.includes('\uFFFD')) return 'unverifiable';
          if (mismatches.length < 5) mismatches.push({ expected, shown });
          return 'mismatch';
        },
      },
    },
    warmup,
  );

  // (b') Mes paiements, 24 months and the chart, for the allocataires' sessions (the matrix
  // refuses a conjoint without delegation): the same work as (b) plus one query for 24 months.
  const payers = sessions.filter((_, k) => at(adults, k).allocataire);
  const payerNames = adults.filter((a) => a.allocataire).map((a) => a.name);
  if (payers.length === 0) throw new Error('no allocataire session');
  const paiements = await timed(
    "(b') GET /mon-compte/paiements",
    {
      baseUrl,
      connections,
      duration,
      expectedStatus: 200,
      request: (n) => ({
        method: 'GET',
        path: '/mon-compte/paiements',
        headers: { cookie: at(payers, n) },
      }),
      check: {
        every: SAMPLE_EVERY,
        verify: (n, body): CheckOutcome => {
          const expected = at(payerNames, n);
          const shown = /data-current-user>([^<]+)</.exec(body)?.[1]?.trim() ?? null;
          if (shown === expected && body.includes('data-chart')) return 'ok';
          if (body.includes('\uFFFD')) return 'unverifiable';
          if (mismatches.length < 5) mismatches.push({ expected, shown });
          return 'mismatch';
        },
      },
    },
    warmup,
  );

  // The ceiling is measured just before and just after (c), half the verifies each: a machine
  // busy with something else shows as two different figures; the ratio uses the better one.
  const half = Math.max(1, Math.ceil(argonVerifies / 2));
  progress(`argon2 ceiling before (c): ${half} verifies, ${cores} at a time`);
  const argonBefore = await measureArgon2(ready.argon2, cores, half);

  const login = await timed(
    '(c) POST /connexion',
    {
      baseUrl,
      connections: loginConnections,
      duration,
      expectedStatus: 303,
      request: (n) => {
        const form = at(forms, n);
        return {
          method: 'POST',
          path: '/connexion',
          headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: loginBody(form, at(adults, n).nir, RANDOM_PASSWORD),
        };
      },
      check: {
        every: 1,
        verify: (_n, _body, headers) => (headers.location === '/mon-compte' ? 'ok' : 'mismatch'),
      },
    },
    0,
  );
  progress(`argon2 ceiling after (c): ${half} verifies, ${cores} at a time`);
  const argonAfter = await measureArgon2(ready.argon2, cores, half);

  progress('stopping the server');
  const cleanup = await stopServer();
  const totalSeconds = (performance.now() - startedAt) / 1000;

  report({
    cores,
    load,
    duration,
    warmup,
    connections,
    loginConnections,
    argonVerifies,
    ready,
    sessions: sessions.length,
    forms: forms.length,
    ping,
    sante,
    monCompte,
    paiements,
    payers: payers.length,
    argonBefore,
    argonAfter,
    login,
    mismatches,
    cleanup,
    totalSeconds,
  });
}

// ---------------------------------------------------------------------------------------------
// Report

interface ReportInput {
  readonly cores: number;
  readonly load: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly loginConnections: number;
  readonly argonVerifies: number;
  readonly ready: ReadyMessage;
  readonly sessions: number;
  readonly forms: number;
  readonly ping: PhaseResult;
  readonly sante: PhaseResult;
  readonly monCompte: PhaseResult;
  readonly paiements: PhaseResult;
  readonly payers: number;
  readonly argonBefore: Argon2Result;
  readonly argonAfter: Argon2Result;
  readonly login: PhaseResult;
  readonly mismatches: readonly Mismatch[];
  readonly cleanup: string;
  readonly totalSeconds: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

function others(r: PhaseResult, expected: number): string {
  const parts = Object.entries(r.statuses)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, count]) => `${status}×${count}`);
  if (r.errors) parts.push(`errors×${r.errors}`);
  if (r.timeouts) parts.push(`timeouts×${r.timeouts}`);
  return parts.length ? parts.join(' ') : 'none';
}

function report(i: ReportInput): void {
  const { ready, ping, sante, monCompte, paiements, argonBefore, argonAfter, login } = i;
  const argon = argonBefore.perSecond >= argonAfter.perSecond ? argonBefore : argonAfter;
  const loadAtEnd = loadavg()[0] ?? 0;
  const a2 = ready.argon2;
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s);
  };

  line();
  line('Mon Compte — benchmark (loopback, autocannon; server in a child process)');
  line(
    `Machine    : ${i.cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version} ${process.platform}-${process.arch}, ` +
      `load average at start ${i.load.toFixed(2)}`,
  );
  line(
    `Parameters : ${i.duration} s a phase (+${i.warmup} s warm-up for (a) and (b)), ` +
      `${i.connections} connections for (a) and (b), ${i.loginConnections} for (c)` +
      (i.loginConnections <= ready.login.concurrency + ready.login.queueMax
        ? ` (at most ${Math.max(0, i.loginConnections - ready.login.concurrency)} logins waiting ` +
          `for a hashing slot: the queue of ${ready.login.queueMax} never fills)`
        : ` (more than ${ready.login.concurrency} hashing + ${ready.login.queueMax} queued: ` +
          'expect 503s)'),
  );
  line(
    `             ${ready.households} random households → ${i.sessions} distinct sessions for (b), ` +
      `${i.forms} login forms rotated for (c), DB pool ${ready.dbPoolMax}`,
  );
  line(
    `             argon2id m=${a2.memoryCost} KiB t=${a2.timeCost} p=${a2.parallelism}; ` +
      `app hashing: ${ready.login.concurrency} at once, queue max ${ready.login.queueMax}; ` +
      `ceiling: ${argonBefore.count} + ${argonAfter.count} verifies, ${argon.concurrency} at once`,
  );
  line();

  const rows: [string, string, string, string, string, string, string][] = [
    ['Phase', 'Conns', 'Responses', 'Rate /s', 'p50 ms', 'p99 ms', 'Other statuses'],
  ];
  const row = (title: string, r: PhaseResult, expected: number): void => {
    rows.push([
      title,
      String(r.connections),
      String(r.count),
      fixed(r.perSecond, 1),
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      others(r, expected),
    ]);
  };
  row('(a) GET /bench/ping (constant, all hooks)', ping, 200);
  row('(a) GET /sante (SELECT 1)', sante, 200);
  row(`(b) GET /mon-compte, ${i.sessions} sessions`, monCompte, 200);
  row(`(b') GET /mon-compte/paiements, ${i.payers} sessions`, paiements, 200);
  const argonRow = (title: string, r: Argon2Result): void => {
    rows.push([
      title,
      String(r.concurrency),
      String(r.count),
      fixed(r.perSecond, 1),
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      '',
    ]);
  };
  argonRow('argon2.verify ceiling, before (c)', argonBefore);
  row('(c) POST /connexion → 303 /mon-compte', login, 303);
  argonRow('argon2.verify ceiling, after (c)', argonAfter);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
  rows.forEach((r, index) => {
    line(
      r
        .map((cell, c) => {
          const w = widths[c] ?? 0;
          return c === 0 || c === 6 ? cell.padEnd(w) : cell.padStart(w);
        })
        .join('  ')
        .trimEnd(),
    );
    if (index === 0) line(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  line('Rate and latencies count only the expected status (200; 303 for (c)).');
  line('argon2 rows: verifies/s and latency of one verify, in the runner process, no HTTP.');
  line();

  const ratios = {
    monCompteOverPing: monCompte.perSecond / ping.perSecond,
    monCompteOverSante: monCompte.perSecond / sante.perSecond,
    loginOverArgon2: login.perSecond / argon.perSecond,
    paiementsOverMonCompte: paiements.perSecond / monCompte.perSecond,
  };
  line(
    `Ratios     : (b)/(a ping) = ${fixed(ratios.monCompteOverPing, 3)}, ` +
      `(b)/(a sante) = ${fixed(ratios.monCompteOverSante, 3)}, ` +
      `(c)/(argon2 ceiling) = ${fixed(ratios.loginOverArgon2, 3)} ` +
      `(ceiling: the better of the two argon2 rows, ${fixed(argon.perSecond, 1)}/s)`,
  );
  line(
    `             (b')/(b) = ${fixed(ratios.paiementsOverMonCompte, 3)} ` +
      '(Mes paiements, 24 months and the chart, against the dashboard)',
  );
  const c = monCompte.checks;
  const cp = paiements.checks;
  line(
    `Checks     : (b) ${c.checked} sampled responses (1 in ${SAMPLE_EVERY}), ` +
      `${c.mismatches} name mismatches, ${c.unverifiable} unverifiable (split UTF-8)`,
  );
  line(
    `             (b') ${cp.checked} sampled, ${cp.mismatches} name or chart mismatches, ` +
      `${cp.unverifiable} unverifiable`,
  );
  for (const m of i.mismatches)
    line(`             MISMATCH expected "${m.expected}", shown "${m.shown ?? '(none)'}"`);
  const overloaded = login.statuses['503'] ?? 0;
  line(
    `             (c) ${login.checks.mismatches} redirects elsewhere than /mon-compte; ` +
      `503 overloaded ${overloaded}; other non-303 ${login.unexpected - overloaded}`,
  );
  line(
    `             (a) ${ping.checks.mismatches + sante.checks.mismatches} wrong bodies in ` +
      `${ping.checks.checked + sante.checks.checked} sampled`,
  );
  line(`Clean-up   : ${i.cleanup}`);
  line(
    `Load       : ${i.load.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end (1-minute average)`,
  );
  if (Math.max(i.load, loadAtEnd) > i.cores) {
    line(
      `             ⚠ more than ${i.cores} runnable processes on average: other work shared the ` +
        'cores, the figures are noisy.',
    );
  }
  line(`Total time : ${i.totalSeconds.toFixed(1)} s`);
  line();

  const phase = (r: PhaseResult, expected: number) => ({
    connections: r.connections,
    responses: r.count,
    rps: round(r.perSecond, 1),
    p50Ms: round(r.p50, 2),
    p99Ms: round(r.p99, 2),
    otherStatuses: Object.fromEntries(
      Object.entries(r.statuses).filter(([status]) => Number(status) !== expected),
    ),
    errors: r.errors,
    timeouts: r.timeouts,
  });
  const argonJson = (r: Argon2Result) => ({
    verifies: r.count,
    verifiesPerSecond: round(r.perSecond, 1),
    p50Ms: round(r.p50, 2),
    p99Ms: round(r.p99, 2),
  });
  const json = {
    bench: 'mon-compte',
    date: new Date().toISOString(),
    machine: {
      cores: i.cores,
      cpu: cpus()[0]?.model.trim() ?? null,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: round(i.load, 2),
      loadAverageAtEnd: round(loadAtEnd, 2),
    },
    params: {
      durationSeconds: i.duration,
      warmupSeconds: i.warmup,
      connections: i.connections,
      loginConnections: i.loginConnections,
      households: ready.households,
      sessions: i.sessions,
      loginForms: i.forms,
      argon2: a2,
      hashConcurrency: ready.login.concurrency,
      hashQueueMax: ready.login.queueMax,
      argon2Verifies: argonBefore.count + argonAfter.count,
      dbPoolMax: ready.dbPoolMax,
    },
    results: {
      ping: phase(ping, 200),
      sante: phase(sante, 200),
      monCompte: phase(monCompte, 200),
      paiements: phase(paiements, 200),
      argon2: {
        concurrency: argon.concurrency,
        verifiesPerSecond: round(argon.perSecond, 1),
        before: argonJson(argonBefore),
        after: argonJson(argonAfter),
      },
      login: { ...phase(login, 303), overloaded503: overloaded },
    },
    ratios: {
      monCompteOverPing: round(ratios.monCompteOverPing, 3),
      monCompteOverSante: round(ratios.monCompteOverSante, 3),
      loginOverArgon2: round(ratios.loginOverArgon2, 3),
      paiementsOverMonCompte: round(ratios.paiementsOverMonCompte, 3),
    },
    checks: {
      monCompteSampled: c.checked,
      monCompteMismatches: c.mismatches,
      monCompteUnverifiable: c.unverifiable,
      paiementsSampled: cp.checked,
      paiementsMismatches: cp.mismatches,
      loginWrongRedirects: login.checks.mismatches,
    },
    totalSeconds: round(i.totalSeconds, 1),
  };
  process.stdout.write(out.join('\n') + '\n' + JSON.stringify(json) + '\n');
  // Not a timing: a session answered with another person's page is a bug.
  if (c.mismatches > 0 || cp.mismatches > 0 || login.checks.mismatches > 0) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------

process.once('SIGINT', () => {
  progress('interrupted: stopping the server');
  void stopServer().finally(() => process.exit(130));
});

main().catch(async (error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  progress(`clean-up: ${await stopServer().catch((e: unknown) => String(e))}`);
  process.exitCode = 1;
});
