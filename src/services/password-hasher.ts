import argon2 from 'argon2';
import pLimit from 'p-limit';
import { lowerThreadPoolPriority, type PoolPriority } from './hashing-threads.ts';

export class HasherOverloadedError extends Error {
  constructor() {
    super('Password hashing queue is full');
    this.name = 'HasherOverloadedError';
  }
}

export interface HasherOptions {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
  /** How many hashes run at once: about one per core. */
  readonly concurrency: number;
  /** How many may wait; past it, callers get HasherOverloadedError at once. */
  readonly queueMax: number;
  /**
   * Nice value of libuv’s thread pool, where argon2 runs (ADR 0013): 10 by default, hashing gets
   * little of a CPU that pages want; 0 leaves the threads as they are.
   */
  readonly hashingNice: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real verify, for an identifier that has no account. */
  verifyNothing(password: string): Promise<false>;
  readonly pending: () => number;
  /** Hashes at once: the configured concurrency, at most the pool's threads (ADR 0013). */
  readonly concurrency: number;
  /** The pool's threads set to the lower priority at start-up (none off Linux). */
  readonly threads: PoolPriority;
}

export async function createPasswordHasher(o: HasherOptions): Promise<PasswordHasher> {
  // Before the first hash: no argon2 ever runs at the normal priority.
  const threads = await lowerThreadPoolPriority(o.hashingNice);
  // More hashes at once than the pool has threads would not hash faster: the extra ones would
  // wait inside libuv, uncounted by the queue bound, in front of every fs and dns call.
  const concurrency = Math.min(o.concurrency, threads.poolSize);
  const limit = pLimit(concurrency);
  const params = {
    type: argon2.argon2id,
    memoryCost: o.memoryCost,
    timeCost: o.timeCost,
    parallelism: o.parallelism,
  };
  const run = <T>(fn: () => Promise<T>): Promise<T> => {
    if (limit.pendingCount >= o.queueMax) return Promise.reject(new HasherOverloadedError());
    return limit(fn);
  };
  const dummyHash = await argon2.hash('mon-compte: no such account', params);
  return {
    hash: (password) => run(() => argon2.hash(password, params)),
    verify: (hash, password) => run(() => argon2.verify(hash, password)),
    verifyNothing: (password) =>
      run(async () => {
        await argon2.verify(dummyHash, password);
        return false as const;
      }),
    pending: () => limit.pendingCount,
    concurrency,
    threads,
  };
}
