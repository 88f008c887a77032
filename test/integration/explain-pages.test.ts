import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainPages, formatExplained, PAGE_STATEMENTS } from '#src/db/explain-pages.ts';
import { seedRandomHouseholds } from '#src/seed/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHRlc3Q$aGFzaA';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // Large enough for the planner to prefer an index wherever one fits (62,000 persons,
  // ≈ 200,000 payments at 3 months), small enough for a test.
  await seedRandomHouseholds(db.pool, {
    count: 20_000,
    passwordHash: HASH,
    sample: 0,
    paymentMonths: 3,
  });
  await db.pool.query('ANALYZE');
}, 120_000);
afterAll(async () => {
  await db.drop();
});

describe('EXPLAIN of the personal pages (issue 12)', () => {
  it('finds no sequential scan of a large table in any statement a personal page runs', async () => {
    const explained = await explainPages(db.pool);
    // Every entry explained, a repository call made of several statements counting for each.
    expect(explained.length).toBeGreaterThanOrEqual(PAGE_STATEMENTS.length);
    expect(
      explained.filter((e) => e.seqScans.length > 0),
      formatExplained(explained),
    ).toEqual([]);
    const payments = explained.find((e) => e.name === '/mon-compte/paiements');
    expect(payments?.nodes.join(' ')).toMatch(/Index.* on payments/);
  });

  it('finds an index for every statement, even on the tables the seed leaves small', async () => {
    const explained = await explainPages(db.pool, { indexesOnly: true });
    expect(
      explained.filter((e) => e.seqScans.length > 0),
      formatExplained(explained),
    ).toEqual([]);
    const sessions = explained.find((e) => e.name === 'request start');
    expect(sessions?.nodes.join(' ')).toMatch(/Index Scan on sessions/);
  });

  it('flags a sequential scan of a large table, and writes nothing', async () => {
    const before = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM access_log');
    const explained = await explainPages(db.pool, {
      statements: [
        ...PAGE_STATEMENTS.filter((s) => s.name === '/mon-compte'),
        {
          name: 'persons by given name',
          sql: 'SELECT id FROM persons WHERE given_name = $1',
          params: () => ['Emma'],
        },
      ],
    });
    expect(explained.map((e) => [e.name, e.seqScans])).toEqual([
      ['/mon-compte', []],
      ['persons by given name', ['persons']],
    ]);
    const after = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM access_log');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});
