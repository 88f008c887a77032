import { describe, expect, it } from 'vitest';
import { withTransaction } from '#src/db/pool.ts';
import { clearThrottle, lockThrottle, type ThrottleKey } from '#src/db/repositories/throttles.ts';
import { useTestApp } from '../support/app.ts';

const ctx = useTestApp();

// A success clears an account's throttle row while another login of the same account is
// reading it (a double click is enough): the reader must get a row, never an error (a 500).
describe('throttle rows under concurrent clear', () => {
  it('lockThrottle always returns a row while another transaction deletes it', async () => {
    const key: ThrottleKey = { scope: 'account', subject: 'course-concurrente', kind: 'password' };
    let errors = 0;
    let reads = 0;
    const reader = async () => {
      for (let i = 0; i < 150; i += 1) {
        await withTransaction(ctx.pool, async (tx) => {
          await lockThrottle(tx, key);
          reads += 1;
        }).catch(() => {
          errors += 1;
        });
      }
    };
    const clearer = async () => {
      for (let i = 0; i < 300; i += 1) await clearThrottle(ctx.pool, key);
    };
    await Promise.all([reader(), reader(), reader(), clearer(), clearer()]);
    console.log(`throttle race: ${String(reads)} reads, ${String(errors)} errors`);
    expect(errors).toBe(0);
    expect(reads).toBe(450);
  });
});
