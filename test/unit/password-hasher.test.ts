import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '#src/config.ts';
import {
  lowerThreadPoolPriority,
  threadPoolSize,
  threadPoolThreads,
} from '#src/services/hashing-threads.ts';
import { createPasswordHasher, HasherOverloadedError } from '#src/services/password-hasher.ts';

const { argon2 } = loadConfig({ NODE_ENV: 'test' });
const linux = process.platform === 'linux';

/** CPU time (user + system, clock ticks) of every thread of this process, by thread id. */
function cpuByThread(): Map<number, number> {
  const times = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name "(...)": state is 3rd, utime 14th, stime 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      times.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return times;
}

describe('libuv thread pool size', () => {
  it('reads UV_THREADPOOL_SIZE as libuv does: 4 unless a positive number, at most 1024', () => {
    expect(threadPoolSize(undefined)).toBe(4);
    expect(threadPoolSize('')).toBe(4);
    expect(threadPoolSize('0')).toBe(4);
    expect(threadPoolSize('abc')).toBe(4);
    expect(threadPoolSize('6')).toBe(6);
    expect(threadPoolSize('5000')).toBe(1024);
  });
});

describe('password hasher', () => {
  it('verifies the right password and refuses a wrong one, argon2id at the configured cost', async () => {
    const hasher = await createPasswordHasher({
      ...argon2,
      concurrency: 2,
      queueMax: 8,
      hashingNice: 0,
    });
    const hash = await hasher.hash('Un mot de passe solide 2026');
    expect(hash).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${argon2.memoryCost},t=2,p=1\\$`));
    expect(await hasher.verify(hash, 'Un mot de passe solide 2026')).toBe(true);
    expect(await hasher.verify(hash, 'un mot de passe solide 2026')).toBe(false);
    expect(await hasher.verifyNothing('quoi que ce soit')).toBe(false);
  });

  it('refuses at once past the queue bound, and serves those admitted', async () => {
    const hasher = await createPasswordHasher({
      ...argon2,
      concurrency: 1,
      queueMax: 1,
      hashingNice: 0,
    });
    const hash = await hasher.hash('secret');
    const running = hasher.verify(hash, 'secret');
    const waiting = hasher.verify(hash, 'secret');
    expect(hasher.pending()).toBe(1);
    await expect(hasher.verify(hash, 'secret')).rejects.toBeInstanceOf(HasherOverloadedError);
    await expect(hasher.verifyNothing('x')).rejects.toBeInstanceOf(HasherOverloadedError);
    expect(await running).toBe(true);
    expect(await waiting).toBe(true);
  });
  it('hashes at most as many at once as libuv has pool threads', async () => {
    const hasher = await createPasswordHasher({
      ...argon2,
      concurrency: 1000,
      queueMax: 8,
      hashingNice: 0,
    });
    expect(hasher.concurrency).toBe(threadPoolSize());
    const hash = await hasher.hash('secret');
    const all = Array.from({ length: threadPoolSize() + 2 }, () => hasher.verify(hash, 'secret'));
    expect(hasher.pending()).toBe(2);
    expect(await Promise.all(all)).toEqual(all.map(() => true));
  });
});

describe.runIf(linux)('hashing at a lower priority (Linux)', () => {
  it('finds every thread of the pool, none of them the main thread', async () => {
    const threads = await threadPoolThreads();
    expect(threads).toHaveLength(threadPoolSize());
    expect(threads).not.toContain(process.pid);
    const ours = readdirSync('/proc/self/task').map(Number);
    for (const tid of threads) expect(ours).toContain(tid);
  });

  it('runs argon2 on threads at nice 19 while the event loop keeps its priority', async () => {
    const mainBefore = getPriority();
    const hasher = await createPasswordHasher({
      ...argon2,
      concurrency: 2,
      queueMax: 8,
      hashingNice: 19,
    });
    expect(hasher.threads.nice).toBe(19);
    expect(hasher.threads.threads).toHaveLength(threadPoolSize());
    for (const tid of hasher.threads.threads) expect(getPriority(tid)).toBe(19);
    expect(getPriority()).toBe(mainBefore);

    // The threads that actually spent the hashing CPU are those at nice 19.
    const hash = await hasher.hash('secret');
    const before = cpuByThread();
    await Promise.all(Array.from({ length: 8 }, () => hasher.verify(hash, 'secret')));
    const after = cpuByThread();
    const spent = [...after]
      .filter(([tid]) => tid !== process.pid)
      .map(([tid, ticks]) => [tid, ticks - (before.get(tid) ?? 0)] as const);
    const most = Math.max(...spent.map(([, ticks]) => ticks));
    expect(most).toBeGreaterThan(0);
    const hashing = spent.filter(([, ticks]) => ticks >= most / 2).map(([tid]) => tid);
    expect(hashing.length).toBeGreaterThan(0);
    for (const tid of hashing) {
      expect(hasher.threads.threads).toContain(tid);
      expect(getPriority(tid)).toBe(19);
    }
  });

  it('never raises a priority back (that needs a privilege): a second, higher value is ignored', async () => {
    const first = await lowerThreadPoolPriority(19);
    const second = await lowerThreadPoolPriority(10);
    expect(second.threads).toEqual(first.threads);
    for (const tid of second.threads) expect(getPriority(tid)).toBe(19);
  });
});
