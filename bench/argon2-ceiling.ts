import argon2 from 'argon2';
import { summarize, type Summary } from './load.ts';

export interface Argon2Params {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export interface Argon2Result extends Summary {
  readonly concurrency: number;
  readonly seconds: number;
}

/**
 * The most logins the machine can verify: `count` argon2id verifies of one hash made with the
 * app's parameters, `concurrency` at a time, in this process (libuv thread pool), no HTTP.
 */
export async function measureArgon2(
  params: Argon2Params,
  concurrency: number,
  count: number,
): Promise<Argon2Result> {
  const password = 'Bench-argon2-2026';
  const hash = await argon2.hash(password, { type: argon2.argon2id, ...params });
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      const ok = await argon2.verify(hash, password);
      latencies.push(performance.now() - t0);
      if (!ok) throw new Error('argon2.verify refused the right password');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { ...summarize(latencies, seconds), concurrency, seconds };
}
