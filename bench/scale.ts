/**
 * `npm run bench -- --scale [--scale-households N]`: p99 of /mon-compte with 1,000 households,
 * then with N (1,000,000 by default), each on its own server and database; the ratio of the two
 * p99s against the goal of issue 12 (≤ 1.2), the seeding time and the server's RSS of each. The
 * sessions measured are ~500 accounts spread evenly over the whole table, logged in over HTTP.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { RANDOM_PASSWORD } from '#src/seed/random.ts';
import { startServer, stopServer } from './children.ts';
import { logIn, mapConcurrently } from './client.ts';
import { formatGoals, mark, ratio, type Goal } from './goals.ts';
import type { PhaseResult } from './load.ts';
import {
  at,
  personalPageCheck,
  progress,
  timed,
  type Mismatch,
  type Sampled,
  type ServerProbe,
} from './measure.ts';
import {
  addWindows,
  OTHER_WORK_WARNING,
  otherWorkShare,
  rssMiB,
  type CpuWindow,
} from './procfs.ts';

const SMALL = 1_000;
/** Households whose adults (≈ 500 accounts) are measured at each size, spread evenly over all. */
const SAMPLE = 300;
const SAMPLE_EVERY = 50;

interface SizeResult {
  readonly households: number;
  readonly adultsTotal: number;
  readonly sessions: number;
  readonly seedSeconds: number;
  readonly analyzeSeconds: number;
  readonly startSeconds: number;
  readonly rssAfterSeedMiB: number | null;
  readonly phase: Sampled<PhaseResult>;
}

async function measureSize(
  households: number,
  o: { duration: number; connections: number; mismatches: Mismatch[] },
): Promise<SizeResult> {
  progress(`--scale: starting a server with ${households.toLocaleString('en')} households`);
  const started = performance.now();
  const { ready, baseUrl, pid } = await startServer(households, {
    // Seeding a million households takes minutes: 5 minutes plus 5 ms a household.
    readyTimeoutMs: 300_000 + 5 * households,
    env: { BENCH_ADULTS_SAMPLE: String(SAMPLE), BENCH_EXPLAIN: '1' },
    progress,
  });
  const server: ServerProbe = { pid, baseUrl };
  const startSeconds = (performance.now() - started) / 1000;
  const rssAfterSeedMiB = rssMiB(pid);
  progress(
    `seeded ${households.toLocaleString('en')} households in ${ready.seedSeconds.toFixed(1)} s ` +
      `(${ready.adultsTotal.toLocaleString('en')} accounts); logging ${ready.adults.length} in`,
  );
  const sessions = await mapConcurrently(ready.adults, 2 * ready.login.concurrency, (a) =>
    logIn(baseUrl, a.nir, RANDOM_PASSWORD),
  );
  const names = ready.adults.map((a) => a.name);
  const phase = await timed(
    `GET /mon-compte at ${households.toLocaleString('en')} households`,
    {
      baseUrl,
      connections: o.connections,
      duration: o.duration,
      expectedStatus: 200,
      request: (n) => ({
        method: 'GET',
        path: '/mon-compte',
        headers: { cookie: at(sessions, n) },
      }),
      check: personalPageCheck('/mon-compte', names, () => true, o.mismatches, SAMPLE_EVERY),
    },
    Math.min(2, o.duration),
    server,
  );
  progress(`stopping the server (${await stopServer()})`);
  return {
    households,
    adultsTotal: ready.adultsTotal,
    sessions: sessions.length,
    seedSeconds: ready.seedSeconds,
    analyzeSeconds: ready.analyzeSeconds,
    startSeconds,
    rssAfterSeedMiB,
    phase,
  };
}

const fixed = (x: number | null, digits: number): string =>
  x !== null && Number.isFinite(x) ? x.toFixed(digits) : '—';
const round = (x: number | null, digits: number): number | null =>
  x !== null && Number.isFinite(x) ? Number(x.toFixed(digits)) : null;

export async function runScale(o: {
  bigHouseholds: number;
  duration: number;
  connections: number;
}): Promise<void> {
  if (!Number.isInteger(o.bigHouseholds) || o.bigHouseholds < SMALL) {
    throw new Error(`--scale-households: an integer of at least ${SMALL}`);
  }
  const load = loadavg()[0] ?? 0;
  const mismatches: Mismatch[] = [];
  const small = await measureSize(SMALL, { ...o, mismatches });
  const big = await measureSize(o.bigHouseholds, { ...o, mismatches });
  const loadAtEnd = loadavg()[0] ?? 0;

  const out: string[] = [''];
  out.push('Mon Compte — benchmark, scale mode (p99 of /mon-compte as the database grows)');
  out.push(
    `Machine    : ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `node ${process.version}; load average ${load.toFixed(2)} at start, ${loadAtEnd.toFixed(2)} at end`,
  );
  out.push(
    `Parameters : ${o.duration} s of /mon-compte at each size (+${Math.min(2, o.duration)} s warm-up), ` +
      `${o.connections} connections, the adults of ${SAMPLE} households spread evenly over each database`,
  );
  out.push('');
  const header = [
    'Households',
    'Accounts',
    'Seeding s',
    'ANALYZE s',
    'Start s',
    'Sessions',
    'Rate /s',
    'p50 ms',
    'p99 ms',
    'RSS seeded MiB',
    'RSS after MiB',
    'Other CPU %',
  ];
  const rows = [small, big].map((s) => [
    s.households.toLocaleString('en'),
    s.adultsTotal.toLocaleString('en'),
    fixed(s.seedSeconds, 1),
    fixed(s.analyzeSeconds, 1),
    fixed(s.startSeconds, 1),
    String(s.sessions),
    fixed(s.phase.value.perSecond, 1),
    fixed(s.phase.value.p50, 2),
    fixed(s.phase.value.p99, 2),
    fixed(s.rssAfterSeedMiB, 0),
    fixed(s.phase.rssMiB, 0),
    s.phase.cpu ? fixed(100 * otherWorkShare(s.phase.cpu), 0) : '—',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]?.length ?? 0)));
  for (const r of [header, ...rows]) {
    out.push(r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  '));
    if (r === header) out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  out.push(
    'Seeding: seedRandomHouseholds in the server, then ANALYZE; Start: from spawning the server ' +
      'to its ready line (Postgres, migrations, seeding, ANALYZE).',
  );
  out.push('');
  const goal: Goal = {
    label: `p99 /mon-compte with ${big.households.toLocaleString('en')} households ÷ with ${SMALL.toLocaleString('en')}`,
    value: ratio(big.phase.value.p99, small.phase.value.p99),
    op: '≤',
    target: 1.2,
  };
  out.push('Goal (issue 12)');
  for (const g of formatGoals([goal])) out.push(`  ${g}`);
  const checked = small.phase.value.checks.checked + big.phase.value.checks.checked;
  const wrong = small.phase.value.checks.mismatches + big.phase.value.checks.mismatches;
  const windows = [small, big].map((s) => s.phase.cpu).filter((w): w is CpuWindow => w !== null);
  const otherShare = windows.length > 0 ? otherWorkShare(addWindows(windows)) : Number.NaN;
  out.push(
    `CPU        : other work ${fixed(100 * otherShare, 0)} % of the cores during the two phases ` +
      "(the machine's busy time minus the bench's processes')",
  );
  if (otherShare > OTHER_WORK_WARNING) {
    out.push(`             ⚠ more than ${100 * OTHER_WORK_WARNING} %: the figures are noisy.`);
  }
  out.push(
    `Checks     : ${checked} sampled pages, ${wrong} showing another name than the session's`,
  );
  for (const m of mismatches)
    out.push(`             MISMATCH expected "${m.expected}", shown "${m.shown ?? '(none)'}"`);
  out.push('');

  const sizeJson = (s: SizeResult) => ({
    households: s.households,
    accounts: s.adultsTotal,
    sessions: s.sessions,
    seedSeconds: round(s.seedSeconds, 1),
    analyzeSeconds: round(s.analyzeSeconds, 1),
    startSeconds: round(s.startSeconds, 1),
    rssAfterSeedMiB: round(s.rssAfterSeedMiB, 1),
    rssAfterPhaseMiB: round(s.phase.rssMiB, 1),
    rps: round(s.phase.value.perSecond, 1),
    p50Ms: round(s.phase.value.p50, 2),
    p99Ms: round(s.phase.value.p99, 2),
    otherCpuShare: s.phase.cpu ? round(otherWorkShare(s.phase.cpu), 3) : null,
  });
  const json = {
    bench: 'mon-compte-scale',
    date: new Date().toISOString(),
    machine: {
      cores: availableParallelism(),
      node: process.version,
      loadAverageAtStart: round(load, 2),
      loadAverageAtEnd: round(loadAtEnd, 2),
      otherWorkShare: round(otherShare, 3),
    },
    params: { durationSeconds: o.duration, connections: o.connections, sample: SAMPLE },
    small: sizeJson(small),
    big: sizeJson(big),
    ratios: { p99BigOverSmall: round(goal.value, 3) },
    goals: [
      { figure: goal.label, value: round(goal.value, 3), goal: '≤ 1.2', met: mark(goal) === '✓' },
    ],
    checks: { sampled: checked, mismatches: wrong },
  };
  process.stdout.write(out.join('\n') + '\n' + JSON.stringify(json) + '\n');
  if (wrong > 0) process.exitCode = 1;
}
