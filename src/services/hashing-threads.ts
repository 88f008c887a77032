import { readlink } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/**
 * argon2 (the `argon2` package, async only) hashes on libuv's thread pool, shared by the whole
 * process. Linux schedules each thread on its own nice value: at nice 19 the pool's threads get
 * only the CPU that the event loop leaves idle, so a login storm cannot slow the pages
 * (ADR 0013). Nothing else of ours runs long on that pool.
 */

/** libuv's own reading of UV_THREADPOOL_SIZE (src/threadpool.c): 4 unless set, at most 1024. */
export function threadPoolSize(env: string | undefined = process.env.UV_THREADPOOL_SIZE): number {
  const n = Number.parseInt(env ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 4;
}

const ROUNDS = 64;

/**
 * The thread ids of libuv's pool: `/proc/thread-self` read by the pool itself (an async
 * `readlink` runs on a pool thread) names the thread that read it. Bursts of such reads until
 * every thread of the pool has answered (each idle thread is woken by a burst), or ROUNDS bursts.
 * Empty off Linux.
 */
export async function threadPoolThreads(size = threadPoolSize()): Promise<number[]> {
  const found = new Set<number>();
  for (let round = 0; round < ROUNDS && found.size < size; round++) {
    const links = await Promise.all(
      Array.from({ length: 16 * size }, () => readlink('/proc/thread-self').catch(() => null)),
    );
    if (links.every((l) => l === null)) break;
    for (const link of links) {
      const tid = Number(/\/task\/(\d+)$/.exec(link ?? '')?.[1]);
      if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) found.add(tid);
    }
  }
  return [...found].sort((a, b) => a - b);
}

export interface PoolPriority {
  /** The pool's threads found and now at `nice` (or lower still). */
  readonly threads: readonly number[];
  readonly nice: number;
  /** How many threads libuv's pool has (UV_THREADPOOL_SIZE). */
  readonly poolSize: number;
}

let found: Promise<number[]> | null = null;

/**
 * Lowers every thread of libuv's pool to `nice`; 0 leaves them as they are. Never raises one
 * (that needs a privilege): a thread already lower stays so. The pool lives as long as the
 * process: its threads are looked for once. Off Linux, where /proc is missing, or where the
 * system refuses, nothing changes and the hashing works as before.
 */
export async function lowerThreadPoolPriority(nice: number): Promise<PoolPriority> {
  const poolSize = threadPoolSize();
  if (nice === 0 || process.platform !== 'linux') return { threads: [], nice: 0, poolSize };
  found ??= threadPoolThreads(poolSize);
  const lowered: number[] = [];
  for (const tid of await found) {
    try {
      if (getPriority(tid) < nice) setPriority(tid, nice);
      lowered.push(tid);
    } catch {
      // Not allowed here (a sandbox) or gone: that thread keeps its priority.
    }
  }
  return { threads: lowered, nice, poolSize };
}
