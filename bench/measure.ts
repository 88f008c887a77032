/**
 * What every phase of the bench shares: progress on stderr, the warm-up, the page checks (the
 * session's own name in the header), and the samples taken around each measured phase (the
 * server's RSS after it, the CPU time of the machine and of the bench's own processes).
 */
import { z } from 'zod';
import { runPhase, type CheckOutcome, type Phase, type PhaseResult } from './load.ts';
import { cpuSnapshot, cpuWindow, rssMiB, type CpuWindow } from './procfs.ts';

const startedAt = performance.now();

export const elapsedSeconds = (): number => (performance.now() - startedAt) / 1000;

export function progress(message: string): void {
  process.stderr.write(`[bench ${`${elapsedSeconds().toFixed(1)} s`.padStart(7)}] ${message}\n`);
}

export function at<T>(items: readonly T[], n: number): T {
  const item = items[n % items.length];
  if (item === undefined) throw new RangeError('empty list');
  return item;
}

/** The benchmarked server as the samples see it: its pid, and its base URL for /bench/heap. */
export interface ServerProbe {
  readonly pid: number | undefined;
  readonly baseUrl: string;
}

export interface Sampled<T> {
  readonly value: T;
  /** The server's resident memory right after the phase and a full collection (MiB); null off Linux. */
  readonly rssMiB: number | null;
  /** The server's heap in use after a full collection (MiB); null when it could not be read. */
  readonly heapMiB: number | null;
  /** CPU time over the phase, the machine's and ours; null off Linux. */
  readonly cpu: CpuWindow | null;
}

const heapReply = z.object({ heapUsedMiB: z.number() });

/** The server's heap after a full collection (its /bench/heap), or null. */
async function heapAfterCollection(server: ServerProbe): Promise<number | null> {
  try {
    const res = await fetch(`${server.baseUrl}/bench/heap`);
    const parsed = heapReply.safeParse(res.ok ? await res.json() : null);
    return parsed.success ? parsed.data.heapUsedMiB : null;
  } catch {
    return null;
  }
}

/**
 * Runs `work`, sampling CPU time around it; after it, the server's heap after a full collection
 * and then its RSS.
 */
export async function sampled<T>(server: ServerProbe, work: () => Promise<T>): Promise<Sampled<T>> {
  const start = cpuSnapshot();
  const value = await work();
  const end = cpuSnapshot();
  const heapMiB = await heapAfterCollection(server);
  return {
    value,
    rssMiB: rssMiB(server.pid),
    heapMiB,
    cpu: start && end ? cpuWindow(start, end) : null,
  };
}

/** A warm-up of `warmup` seconds (unchecked, not sampled), then the measured phase, sampled. */
export async function timed(
  title: string,
  phase: Phase,
  warmup: number,
  server: ServerProbe,
): Promise<Sampled<PhaseResult>> {
  if (warmup > 0) {
    progress(`${title}: warm-up ${warmup} s`);
    await runPhase({ ...phase, duration: warmup, check: undefined });
  }
  progress(`${title}: ${phase.duration} s, ${phase.connections} connections`);
  return sampled(server, () => runPhase(phase));
}

export interface Mismatch {
  readonly page: string;
  readonly expected: string;
  readonly shown: string | null;
}

/** The name the header shows once logged in. */
export function currentUserOf(body: string): string | null {
  return /data-current-user>([^<]+)</.exec(body)?.[1]?.trim() ?? null;
}

/**
 * The check of a personal page: the header shows the session's own name and the page has its
 * marker. autocannon decodes each TCP chunk on its own: a split "é" cannot be compared.
 */
export function personalPageCheck(
  page: string,
  names: readonly string[],
  marker: (body: string) => boolean,
  mismatches: Mismatch[],
  every: number,
): NonNullable<Phase['check']> {
  return {
    every,
    verify: (n, body): CheckOutcome => {
      const expected = at(names, n);
      const shown = currentUserOf(body);
      if (shown === expected && marker(body)) return 'ok';
      if (body.includes('\uFFFD')) return 'unverifiable';
      if (mismatches.length < 5) mismatches.push({ page, expected, shown });
      return 'mismatch';
    },
  };
}
