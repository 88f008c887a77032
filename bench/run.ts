/**
 * `npm run bench`: the server in a child process on a throwaway embedded Postgres, autocannon
 * here, loopback only, every phase bounded in time. Prints a table, the goals of issue 12 with a
 * mark each, and a final JSON line; asserts nothing about speed. Settings (environment):
 * BENCH_DURATION (seconds a phase, 10), BENCH_CONNECTIONS (GET phases, 10),
 * BENCH_LOGIN_CONNECTIONS (POST /connexion, twice the hashing concurrency), BENCH_HOUSEHOLDS
 * (300), BENCH_ARGON2_VERIFIES (100 a core, half just before (c), half just after).
 *
 * `npm run bench -- --scale [--scale-households N]`: the large-database mode (bench/scale.ts).
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RANDOM_PASSWORD } from '#src/seed/random.ts';
import { measureArgon2, type Argon2Result } from './argon2-ceiling.ts';
import { startBare, startServer, stopBare, stopServer } from './children.ts';
import { fetchLoginForm, logIn, loginBody, mapConcurrently } from './client.ts';
import { formatGoals, growthOf, mark, ratio, type Goal } from './goals.ts';
import { runPhase, type PhaseResult } from './load.ts';
import {
  at,
  elapsedSeconds,
  personalPageCheck,
  progress,
  sampled,
  timed,
  type Mismatch,
  type Sampled,
  type ServerProbe,
} from './measure.ts';
import {
  addWindows,
  OTHER_WORK_WARNING,
  otherWorkShare,
  ourShare,
  type CpuWindow,
} from './procfs.ts';
import { runScale } from './scale.ts';
import { loginStorm } from './storm.ts';
import type { ReadyMessage } from './protocol.ts';

const SAMPLE_EVERY = 50;
const LOGIN_FORMS = 64;
const READY_TIMEOUT_MS = 180_000;
/**
 * Heap growth (after a full collection) from the first page phase to the last that still counts
 * as none: the phases compile templates and prepare statements they have not used before. A leak
 * of 100 bytes a request would pass it in about 21,000 requests; a phase makes 3,000 to 13,000.
 */
const HEAP_GROWTH_NONE_MIB = 2;

const cli = parseArgs({
  options: {
    scale: { type: 'boolean', default: false },
    'scale-households': { type: 'string' },
  },
  strict: true,
});

const settings = z
  .object({
    BENCH_DURATION: z.coerce.number().positive().max(600).default(10),
    BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(10),
    BENCH_LOGIN_CONNECTIONS: z.coerce.number().int().min(1).max(1000).optional(),
    BENCH_HOUSEHOLDS: z.coerce.number().int().min(1).max(100_000).default(300),
    BENCH_ARGON2_VERIFIES: z.coerce.number().int().min(1).optional(),
  })
  .parse(process.env);

// ---------------------------------------------------------------------------------------------
// Phases

interface Measured {
  readonly ready: ReadyMessage;
  readonly cores: number;
  readonly load: number;
  readonly duration: number;
  readonly warmup: number;
  readonly connections: number;
  readonly loginConnections: number;
  readonly sessions: number;
  readonly payers: number;
  readonly forms: number;
  readonly bare: Sampled<PhaseResult>;
  readonly ping: Sampled<PhaseResult>;
  readonly sante: Sampled<PhaseResult>;
  readonly monCompte: Sampled<PhaseResult>;
  readonly paiements: Sampled<PhaseResult>;
  readonly courriers: Sampled<PhaseResult>;
  readonly demarches: Sampled<PhaseResult>;
  readonly argonBefore: Sampled<Argon2Result>;
  readonly login: Sampled<PhaseResult>;
  readonly argonAfter: Sampled<Argon2Result>;
  readonly storm: Sampled<{ calm: PhaseResult; storm: PhaseResult; logins: PhaseResult }>;
  readonly mismatches: readonly Mismatch[];
  readonly cleanup: string;
  readonly totalSeconds: number;
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const load = loadavg()[0] ?? 0;
  const duration = settings.BENCH_DURATION;
  const warmup = Math.min(1, duration);
  const connections = settings.BENCH_CONNECTIONS;

  progress(`starting the server (embedded Postgres, ${settings.BENCH_HOUSEHOLDS} households)`);
  const { ready, baseUrl, pid } = await startServer(settings.BENCH_HOUSEHOLDS, {
    readyTimeoutMs: READY_TIMEOUT_MS,
    progress,
  });
  const server: ServerProbe = { pid, baseUrl };
  const adults = ready.adults;
  if (adults.length === 0) throw new Error('no account was seeded');
  const names = adults.map((a) => a.name);
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

  // The reference: a bare Fastify hello-world in its own process, the same autocannon settings
  // as (a), while the benchmarked server sits idle.
  progress('starting the bare Fastify reference');
  const bareServer = await startBare();
  const bare = await timed(
    'bare Fastify GET /',
    {
      baseUrl: bareServer.baseUrl,
      connections,
      duration,
      expectedStatus: 200,
      request: () => ({ method: 'GET', path: '/' }),
      check: {
        every: SAMPLE_EVERY,
        verify: (_n, body) => (body === 'hello world' ? 'ok' : 'mismatch'),
      },
    },
    warmup,
    server,
  );
  await stopBare();

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
    server,
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
    server,
  );

  const mismatches: Mismatch[] = [];
  const personalPage = (
    title: string,
    path: string,
    cookies: readonly string[],
    shownNames: readonly string[],
    marker: (body: string) => boolean,
  ): Promise<Sampled<PhaseResult>> =>
    timed(
      title,
      {
        baseUrl,
        connections,
        duration,
        expectedStatus: 200,
        request: (n) => ({ method: 'GET', path, headers: { cookie: at(cookies, n) } }),
        check: personalPageCheck(path, shownNames, marker, mismatches, SAMPLE_EVERY),
      },
      warmup,
      server,
    );

  const monCompte = await personalPage(
    '(b) GET /mon-compte',
    '/mon-compte',
    sessions,
    names,
    () => true,
  );
  // (b') The personal pages behind the hub. Mes paiements and Mes courriers (the household's
  // letters) open to the allocataire: a conjoint without delegation gets the 403 page (matrix
  // of src/domain/access.ts), so those two run on the allocataires' sessions. Mes démarches
  // opens to every adult (own-data): all the sessions.
  const payers = sessions.filter((_, k) => at(adults, k).allocataire);
  const payerNames = adults.filter((a) => a.allocataire).map((a) => a.name);
  if (payers.length === 0) throw new Error('no allocataire session');
  const paiements = await personalPage(
    "(b') GET /mon-compte/paiements",
    '/mon-compte/paiements',
    payers,
    payerNames,
    (body) => body.includes('data-chart'),
  );
  const courriers = await personalPage(
    "(b') GET /mon-compte/courriers",
    '/mon-compte/courriers',
    payers,
    payerNames,
    (body) => body.includes('data-no-letters') || body.includes('data-courrier='),
  );
  const demarches = await personalPage(
    "(b') GET /mon-compte/demarches",
    '/mon-compte/demarches',
    sessions,
    names,
    (body) => body.includes('data-no-demarche') || body.includes('data-demarche='),
  );

  // The ceiling is measured just before and just after (c), half the verifies each: a machine
  // busy with something else shows as two different figures; the ratio uses the better one.
  const half = Math.max(1, Math.ceil(argonVerifies / 2));
  progress(`argon2 ceiling before (c): ${half} verifies, ${cores} at a time`);
  const argonBefore = await sampled(server, () => measureArgon2(ready.argon2, cores, half));

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
    server,
  );
  progress(`argon2 ceiling after (c): ${half} verifies, ${cores} at a time`);
  const argonAfter = await sampled(server, () => measureArgon2(ready.argon2, cores, half));

  // (d) The login storm: /mon-compte calm, then while logins are offered at twice the server's
  // hashing capacity (bench/storm.ts). Warmed up like (b).
  progress(
    `(d) login storm: /mon-compte calm ${duration} s, then ${duration} s with ` +
      `${loginConnections} connections posting logins`,
  );
  await runPhase({
    baseUrl,
    connections,
    duration: warmup,
    expectedStatus: 200,
    request: (n) => ({ method: 'GET', path: '/mon-compte', headers: { cookie: at(sessions, n) } }),
  });
  const storm = await sampled(server, () =>
    loginStorm({
      baseUrl,
      duration,
      connections,
      sessions,
      names,
      forms,
      nirs: adults.map((a) => a.nir),
      password: RANDOM_PASSWORD,
      loginConnections,
    }),
  );

  progress('stopping the server');
  const cleanup = await stopServer();

  report(
    {
      ready,
      cores,
      load,
      duration,
      warmup,
      connections,
      loginConnections,
      sessions: sessions.length,
      payers: payers.length,
      forms: forms.length,
      bare,
      ping,
      sante,
      monCompte,
      paiements,
      courriers,
      demarches,
      argonBefore,
      login,
      argonAfter,
      storm,
      mismatches,
      cleanup,
      totalSeconds: elapsedSeconds(),
    },
    argonVerifies,
  );
}

// ---------------------------------------------------------------------------------------------
// Report

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const mib = (x: number | null): string => (x === null ? '—' : x.toFixed(0));
const percent = (w: CpuWindow | null): string =>
  w === null ? '—' : fixed(100 * otherWorkShare(w), 0);

function others(r: PhaseResult, expected: number): string {
  const parts = Object.entries(r.statuses)
    .filter(([status]) => Number(status) !== expected)
    .map(([status, count]) => `${status}×${count}`);
  if (r.errors) parts.push(`errors×${r.errors}`);
  if (r.timeouts) parts.push(`timeouts×${r.timeouts}`);
  return parts.length ? parts.join(' ') : 'none';
}

type Row = [string, string, string, string, string, string, string, string, string, string, string];

function report(i: Measured, argonVerifies: number): void {
  const { ready, bare, ping, sante, monCompte, paiements, courriers, demarches, login } = i;
  const argonBefore = i.argonBefore.value;
  const argonAfter = i.argonAfter.value;
  const argon = argonBefore.perSecond >= argonAfter.perSecond ? argonBefore : argonAfter;
  const { calm, storm, logins: stormLogins } = i.storm.value;
  const loadAtEnd = loadavg()[0] ?? 0;
  const a2 = ready.argon2;
  const bareRate = bare.value.perSecond;
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
    `Parameters : ${i.duration} s a phase (+${i.warmup} s warm-up for the GET phases), ` +
      `${i.connections} connections for GETs, ${i.loginConnections} for (c) and the storm's logins` +
      (i.loginConnections <= ready.login.concurrency + ready.login.queueMax
        ? ` (at most ${Math.max(0, i.loginConnections - ready.login.concurrency)} logins waiting ` +
          `for a hashing slot: the queue of ${ready.login.queueMax} never fills)`
        : ` (more than ${ready.login.concurrency} hashing + ${ready.login.queueMax} queued: ` +
          'expect 503s)'),
  );
  line(
    `             ${ready.households} random households (seeded in ${ready.seedSeconds.toFixed(1)} s) → ` +
      `${i.sessions} distinct sessions for (b), ${i.payers} allocataires' for paiements and ` +
      `courriers, ${i.forms} login forms rotated for (c), DB pool ${ready.dbPoolMax}`,
  );
  line(
    `             argon2id m=${a2.memoryCost} KiB t=${a2.timeCost} p=${a2.parallelism}; ` +
      `app hashing: ${ready.login.concurrency} at once, queue max ${ready.login.queueMax}; ` +
      `ceiling: ${argonBefore.count} + ${argonAfter.count} verifies, ${argon.concurrency} at once`,
  );
  line();

  const rows: Row[] = [
    [
      'Phase',
      'Conns',
      'Responses',
      'Rate /s',
      '÷ bare',
      'p50 ms',
      'p99 ms',
      'Other statuses',
      'RSS MiB',
      'Heap MiB',
      'Other CPU %',
    ],
  ];
  const row = (
    title: string,
    r: PhaseResult,
    expected: number,
    s: Sampled<unknown> | null,
    againstBare = true,
  ): void => {
    rows.push([
      title,
      String(r.connections),
      String(r.count),
      fixed(r.perSecond, 1),
      againstBare ? fixed(ratio(r.perSecond, bareRate), 3) : '',
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      others(r, expected),
      s ? mib(s.rssMiB) : '',
      s ? mib(s.heapMiB) : '',
      s ? percent(s.cpu) : '',
    ]);
  };
  const argonRow = (title: string, s: Sampled<Argon2Result>): void => {
    const r = s.value;
    rows.push([
      title,
      String(r.concurrency),
      String(r.count),
      fixed(r.perSecond, 1),
      '',
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      '',
      mib(s.rssMiB),
      mib(s.heapMiB),
      percent(s.cpu),
    ]);
  };
  row('bare Fastify GET / (reference, own process)', bare.value, 200, bare);
  row('(a) GET /bench/ping (constant, all hooks)', ping.value, 200, ping);
  row('(a) GET /sante (SELECT 1)', sante.value, 200, sante);
  row(`(b) GET /mon-compte, ${i.sessions} sessions`, monCompte.value, 200, monCompte);
  row(`(b') GET /mon-compte/paiements, ${i.payers} sessions`, paiements.value, 200, paiements);
  row(`(b') GET /mon-compte/courriers, ${i.payers} sessions`, courriers.value, 200, courriers);
  row(`(b') GET /mon-compte/demarches, ${i.sessions} sessions`, demarches.value, 200, demarches);
  argonRow('argon2.verify ceiling, before (c)', i.argonBefore);
  row('(c) POST /connexion → 303 /mon-compte', login.value, 303, login, false);
  argonRow('argon2.verify ceiling, after (c)', i.argonAfter);
  row('(d) GET /mon-compte, calm', calm, 200, null);
  row('(d) GET /mon-compte during the login storm', storm, 200, i.storm);
  row('(d) POST /connexion, the storm', stormLogins, 303, null, false);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
  rows.forEach((r, index) => {
    line(
      r
        .map((cell, c) => {
          const w = widths[c] ?? 0;
          return c === 0 || c === 7 ? cell.padEnd(w) : cell.padStart(w);
        })
        .join('  ')
        .trimEnd(),
    );
    if (index === 0) line(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  line('Rate and latencies count only the expected status (200; 303 for logins).');
  line('argon2 rows: verifies/s and latency of one verify, in the runner process, no HTTP.');
  line(
    'RSS, heap: the benchmarked server process after the phase and a full garbage collection ' +
      '(the storm row: after calm + storm); heap = V8 heap in use.',
  );
  line("Other CPU: share of all the cores busy with processes other than the bench's own.");
  line();

  // The goals of issue 12, each a ratio of this run.
  const stormRatio = ratio(storm.p99, calm.p99);
  const pagePhases = [monCompte, paiements, courriers, demarches, i.storm];
  const growth = growthOf(pagePhases.map((s) => s.rssMiB));
  const heapGrowth = growthOf(pagePhases.map((s) => s.heapMiB));
  const goals: Goal[] = [
    {
      label: '/bench/ping ÷ bare',
      value: ratio(ping.value.perSecond, bareRate),
      op: '≥',
      target: 0.6,
    },
    {
      label: '/mon-compte ÷ bare',
      value: ratio(monCompte.value.perSecond, bareRate),
      op: '≥',
      target: 0.06,
    },
    {
      label: '/mon-compte/paiements ÷ bare',
      value: ratio(paiements.value.perSecond, bareRate),
      op: '≥',
      target: 0.05,
    },
    {
      label: '/mon-compte/courriers ÷ bare',
      value: ratio(courriers.value.perSecond, bareRate),
      op: '≥',
      target: 0.05,
    },
    {
      label: '/mon-compte/demarches ÷ bare',
      value: ratio(demarches.value.perSecond, bareRate),
      op: '≥',
      target: 0.05,
    },
    {
      label: 'logins ÷ argon2 ceiling',
      value: ratio(login.value.perSecond, argon.perSecond),
      op: '≥',
      target: 0.9,
    },
    {
      label: 'p99 /mon-compte during a login storm ÷ calm p99',
      value: stormRatio,
      op: '≤',
      target: 1.5,
    },
    {
      label: 'heap growth, MiB (after (b) → after (d))',
      value: heapGrowth,
      op: '≤',
      target: HEAP_GROWTH_NONE_MIB,
    },
  ];
  line(
    `Goals (issue 12; bare = ${fixed(bareRate, 0)}/s, argon2 ceiling = ${fixed(argon.perSecond, 1)}/s, the better of the two rows)`,
  );
  for (const g of formatGoals(goals)) line(`  ${g}`);
  line(
    `  Heap and RSS after a full collection, first page phase to last: heap ${fixed(heapGrowth, 1)} MiB ` +
      `(no growth: at most ${HEAP_GROWTH_NONE_MIB} MiB), RSS ${fixed(growth, 1)} MiB`,
  );
  line();

  const ratios = {
    monCompteOverPing: ratio(monCompte.value.perSecond, ping.value.perSecond),
    monCompteOverSante: ratio(monCompte.value.perSecond, sante.value.perSecond),
    loginOverArgon2: ratio(login.value.perSecond, argon.perSecond),
    paiementsOverMonCompte: ratio(paiements.value.perSecond, monCompte.value.perSecond),
  };
  line(
    `Ratios     : (b)/(a ping) = ${fixed(ratios.monCompteOverPing, 3)}, ` +
      `(b)/(a sante) = ${fixed(ratios.monCompteOverSante, 3)}, ` +
      `(b')/(b) paiements ${fixed(ratios.paiementsOverMonCompte, 3)}, ` +
      `courriers ${fixed(ratio(courriers.value.perSecond, monCompte.value.perSecond), 3)}, ` +
      `démarches ${fixed(ratio(demarches.value.perSecond, monCompte.value.perSecond), 3)}`,
  );
  const page = (title: string, s: Sampled<PhaseResult>, what: string): void => {
    const c = s.value.checks;
    line(
      `             ${title} ${c.checked} sampled (1 in ${SAMPLE_EVERY}), ${c.mismatches} ${what} ` +
        `mismatches, ${c.unverifiable} unverifiable (split UTF-8)`,
    );
  };
  line("Checks     : each sampled page must show the session's own name (and its page marker)");
  page('(b) /mon-compte', monCompte, 'name');
  page("(b') paiements", paiements, 'name or chart');
  page("(b') courriers", courriers, 'name or list');
  page("(b') demarches", demarches, 'name or list');
  line(
    `             (d) /mon-compte ${calm.checks.checked + storm.checks.checked} sampled, ` +
      `${calm.checks.mismatches + storm.checks.mismatches} name mismatches`,
  );
  for (const m of i.mismatches)
    line(
      `             MISMATCH ${m.page}: expected "${m.expected}", shown "${m.shown ?? '(none)'}"`,
    );
  const overloaded = login.value.statuses['503'] ?? 0;
  line(
    `             (c) ${login.value.checks.mismatches} redirects elsewhere than /mon-compte; ` +
      `503 overloaded ${overloaded}; other non-303 ${login.value.unexpected - overloaded}`,
  );
  line(
    `             (d) storm logins: ${stormLogins.checks.mismatches} redirects elsewhere; ` +
      `503 overloaded ${stormLogins.statuses['503'] ?? 0}`,
  );
  const constant = [bare, ping, sante].map((s) => s.value.checks);
  line(
    `             bare and (a) ${constant.reduce((a, c) => a + c.mismatches, 0)} wrong bodies in ` +
      `${constant.reduce((a, c) => a + c.checked, 0)} sampled`,
  );
  line(`Clean-up   : ${i.cleanup}`);

  // Load average counts runnable processes: the bench's own (runner, server, Postgres backends)
  // exceed the cores by themselves. Other work is measured instead: the machine's busy CPU time
  // minus the CPU time of the bench's processes, over the measured phases.
  const windows = [
    bare,
    ping,
    sante,
    monCompte,
    paiements,
    courriers,
    demarches,
    i.argonBefore,
    login,
    i.argonAfter,
    i.storm,
  ]
    .map((s) => s.cpu)
    .filter((w): w is CpuWindow => w !== null);
  const cpu = windows.length > 0 ? addWindows(windows) : null;
  const otherShare = cpu ? otherWorkShare(cpu) : Number.NaN;
  line(
    `Load       : ${i.load.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end (1-minute average; ` +
      "the bench's own processes alone keep more than the cores runnable, so it is no measure of " +
      'other work)',
  );
  if (cpu) {
    line(
      `CPU        : the bench's processes (runner, server, Postgres) ${fixed(100 * ourShare(cpu), 0)} % ` +
        `of the cores; other work: ${fixed(100 * otherShare, 0)} % of the cores during the phases`,
    );
    if (otherShare > OTHER_WORK_WARNING) {
      line(
        `             ⚠ other work used more than ${100 * OTHER_WORK_WARNING} % of the cores: ` +
          'the figures are noisy.',
      );
    }
  } else {
    line('CPU        : — (no /proc: other work not measured)');
    if (Math.max(i.load, loadAtEnd) > i.cores) {
      line(
        `             ⚠ more than ${i.cores} runnable processes on average: other work may have ` +
          'shared the cores.',
      );
    }
  }
  line(`Total time : ${i.totalSeconds.toFixed(1)} s`);
  line();

  const phase = (r: PhaseResult, expected: number, s?: Sampled<unknown>) => ({
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
    ...(s
      ? {
          rssMiB: s.rssMiB === null ? null : round(s.rssMiB, 1),
          heapMiB: s.heapMiB === null ? null : round(s.heapMiB, 1),
          otherCpuShare: s.cpu ? round(otherWorkShare(s.cpu), 3) : null,
        }
      : {}),
  });
  const argonJson = (r: Argon2Result) => ({
    verifies: r.count,
    verifiesPerSecond: round(r.perSecond, 1),
    p50Ms: round(r.p50, 2),
    p99Ms: round(r.p99, 2),
  });
  const cm = monCompte.value.checks;
  const cp = paiements.value.checks;
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
      otherWorkShare: Number.isFinite(otherShare) ? round(otherShare, 3) : null,
      benchShare: cpu ? round(ourShare(cpu), 3) : null,
    },
    params: {
      durationSeconds: i.duration,
      warmupSeconds: i.warmup,
      connections: i.connections,
      loginConnections: i.loginConnections,
      households: ready.households,
      seedSeconds: round(ready.seedSeconds, 1),
      sessions: i.sessions,
      loginForms: i.forms,
      argon2: a2,
      hashConcurrency: ready.login.concurrency,
      hashQueueMax: ready.login.queueMax,
      argon2Verifies: argonBefore.count + argonAfter.count,
      argon2VerifiesAsked: argonVerifies,
      dbPoolMax: ready.dbPoolMax,
    },
    results: {
      bare: phase(bare.value, 200, bare),
      ping: phase(ping.value, 200, ping),
      sante: phase(sante.value, 200, sante),
      monCompte: phase(monCompte.value, 200, monCompte),
      paiements: phase(paiements.value, 200, paiements),
      courriers: phase(courriers.value, 200, courriers),
      demarches: phase(demarches.value, 200, demarches),
      argon2: {
        concurrency: argon.concurrency,
        verifiesPerSecond: round(argon.perSecond, 1),
        before: argonJson(argonBefore),
        after: argonJson(argonAfter),
      },
      login: { ...phase(login.value, 303, login), overloaded503: overloaded },
      storm: {
        calm: phase(calm, 200),
        storm: phase(storm, 200, i.storm),
        logins: { ...phase(stormLogins, 303), overloaded503: stormLogins.statuses['503'] ?? 0 },
      },
    },
    ratios: {
      monCompteOverPing: round(ratios.monCompteOverPing, 3),
      monCompteOverSante: round(ratios.monCompteOverSante, 3),
      loginOverArgon2: round(ratios.loginOverArgon2, 3),
      paiementsOverMonCompte: round(ratios.paiementsOverMonCompte, 3),
      pingOverBare: round(goals[0]?.value ?? Number.NaN, 3),
      monCompteOverBare: round(goals[1]?.value ?? Number.NaN, 3),
      paiementsOverBare: round(goals[2]?.value ?? Number.NaN, 3),
      courriersOverBare: round(goals[3]?.value ?? Number.NaN, 3),
      demarchesOverBare: round(goals[4]?.value ?? Number.NaN, 3),
      stormP99OverCalmP99: round(stormRatio, 3),
    },
    goals: goals.map((g) => ({
      figure: g.label,
      value: round(g.value, 3),
      goal: `${g.op} ${g.target}`,
      met: mark(g) === '✓',
    })),
    rssGrowthMiB: Number.isFinite(growth) ? round(growth, 1) : null,
    heapGrowthMiB: Number.isFinite(heapGrowth) ? round(heapGrowth, 1) : null,
    checks: {
      monCompteSampled: cm.checked,
      monCompteMismatches: cm.mismatches,
      monCompteUnverifiable: cm.unverifiable,
      paiementsSampled: cp.checked,
      paiementsMismatches: cp.mismatches,
      courriersSampled: courriers.value.checks.checked,
      courriersMismatches: courriers.value.checks.mismatches,
      demarchesSampled: demarches.value.checks.checked,
      demarchesMismatches: demarches.value.checks.mismatches,
      stormMismatches: calm.checks.mismatches + storm.checks.mismatches,
      loginWrongRedirects: login.value.checks.mismatches,
      stormLoginWrongRedirects: stormLogins.checks.mismatches,
    },
    totalSeconds: round(i.totalSeconds, 1),
  };
  process.stdout.write(out.join('\n') + '\n' + JSON.stringify(json) + '\n');
  // Not a timing: a session answered with another person's page is a bug.
  const wrong =
    [monCompte, paiements, courriers, demarches].some((s) => s.value.checks.mismatches > 0) ||
    calm.checks.mismatches + storm.checks.mismatches > 0 ||
    login.value.checks.mismatches > 0 ||
    stormLogins.checks.mismatches > 0;
  if (wrong) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------

process.once('SIGINT', () => {
  progress('interrupted: stopping the server');
  void stopServer().finally(() => process.exit(130));
});

const run = cli.values.scale
  ? runScale({
      bigHouseholds: Number(cli.values['scale-households'] ?? '1000000'),
      duration: settings.BENCH_DURATION,
      connections: settings.BENCH_CONNECTIONS,
    })
  : main();

run.catch(async (error: unknown) => {
  process.stderr.write(
    `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  progress(`clean-up: ${await stopServer().catch((e: unknown) => String(e))}`);
  process.exitCode = 1;
});
