import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNir } from '#src/domain/nir.ts';
import { PAYMENT_MONTHS } from '#src/domain/payments.ts';
import { seedRandomHouseholds, type RandomAdult } from '#src/seed/random.ts';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';

// Any string: the accounts are never logged into here (the password paths have their tests).
const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHRlc3Q$aGFzaA';
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** Months of payments a full history has today (the 5th's payment may be still to come). */
const fullMonths = () => (new Date().getUTCDate() >= 5 ? PAYMENT_MONTHS : PAYMENT_MONTHS - 1);

describe('random households (COPY, several connections)', () => {
  let all: RandomAdult[];
  let sample: RandomAdult[];
  const progress: number[] = [];

  beforeAll(async () => {
    // 1,200 households: chunks of 250 on two connections, then a sampled run after it.
    all = await seedRandomHouseholds(db.pool, {
      count: 1_200,
      passwordHash: HASH,
      onProgress: (n) => progress.push(n),
    });
    sample = await seedRandomHouseholds(db.pool, {
      count: 1_000,
      passwordHash: HASH,
      sample: 10,
      paymentMonths: 3,
    });
  });

  it('reports its progress chunk by chunk up to the count', () => {
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1_200);
  });

  it('returns every adult in dossier order, or only those of the sampled households', async () => {
    const numbers = [...new Set(all.map((a) => a.dossierNumber))];
    expect(numbers).toHaveLength(1_200);
    expect(numbers).toEqual([...numbers].sort());
    const sampled = [...new Set(sample.map((a) => a.dossierNumber))];
    expect(sampled).toHaveLength(10);
    // Spread over the run, after the first run's numbers.
    expect(Number(sampled[0])).toBe(Number(numbers.at(-1)) + 1);
    expect(Number(sampled.at(-1))).toBe(Number(numbers.at(-1)) + 1 + 900);
    const adults = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
        WHERE d.number = ANY($1) AND m.role IN ('allocataire', 'conjoint')`,
      [numbers],
    );
    expect(all).toHaveLength(adults.rows[0]?.n ?? -1);
  });

  it('writes consistent households: one allocataire, accounts with a validated e-mail, valid NIRs', async () => {
    const r = await db.pool.query<{
      dossiers: number;
      without_one_allocataire: number;
      adults_without_account: number;
      accounts_without_email: number;
      children_with_account: number;
      orphans: number;
    }>(
      `WITH d AS (SELECT id FROM dossiers WHERE number >= '8000000')
       SELECT (SELECT count(*) FROM d)::int AS dossiers,
              (SELECT count(*) FROM d WHERE (SELECT count(*) FROM dossier_members m
                 WHERE m.dossier_id = d.id AND m.role = 'allocataire') <> 1)::int AS without_one_allocataire,
              (SELECT count(*) FROM dossier_members m JOIN d ON d.id = m.dossier_id
                 LEFT JOIN accounts a ON a.person_id = m.person_id
                WHERE m.role <> 'enfant' AND a.person_id IS NULL)::int AS adults_without_account,
              (SELECT count(*) FROM dossier_members m JOIN d ON d.id = m.dossier_id
                 JOIN accounts a ON a.person_id = m.person_id JOIN persons p ON p.id = m.person_id
                WHERE p.email IS NULL OR p.email_verified_at IS NULL)::int AS accounts_without_email,
              (SELECT count(*) FROM dossier_members m JOIN d ON d.id = m.dossier_id
                 JOIN accounts a ON a.person_id = m.person_id WHERE m.role = 'enfant')::int AS children_with_account,
              (SELECT count(*) FROM dossier_members m LEFT JOIN persons p ON p.id = m.person_id
                WHERE p.id IS NULL)::int AS orphans`,
    );
    expect(r.rows[0]).toEqual({
      dossiers: 2_200,
      without_one_allocataire: 0,
      adults_without_account: 0,
      accounts_without_email: 0,
      children_with_account: 0,
      orphans: 0,
    });
    const nirs = await db.pool.query<{ nir: string; sex: number; birthdate: string }>(
      `SELECT p.nir, p.sex, p.birthdate FROM persons p
         JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id
        WHERE d.number >= '8000000'`,
    );
    expect(nirs.rows.length).toBeGreaterThan(2_200);
    for (const p of nirs.rows) {
      const parsed = parseNir(p.nir);
      expect(parsed.ok, p.nir).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.nir.sex).toBe(p.sex);
      expect(parsed.nir.birthYear2).toBe(Number(p.birthdate.slice(2, 4)));
      expect(parsed.nir.birthMonth).toBe(Number(p.birthdate.slice(5, 7)));
    }
  });

  it('records every membership in the history, open, as the trigger of migration 018 would', async () => {
    const r = await db.pool.query<{ members: number; open: number }>(
      `SELECT count(*)::int AS members,
              count(h.id) FILTER (WHERE h.valid_to IS NULL AND h.role = m.role
                                    AND h.delegation = m.delegation)::int AS open
         FROM dossier_members m JOIN dossiers d ON d.id = m.dossier_id
         LEFT JOIN dossier_member_history h ON h.dossier_id = m.dossier_id AND h.person_id = m.person_id
        WHERE d.number >= '8000000'`,
    );
    expect(r.rows[0]?.members).toBeGreaterThan(2_200);
    expect(r.rows[0]?.open).toBe(r.rows[0]?.members);
    // The trigger still works on them afterwards: a change closes the row and opens another.
    const adult = sample[0];
    if (!adult) throw new Error('no sampled adult');
    await db.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
      adult.personId,
    ]);
    const h = await db.pool.query<{ open: boolean; delegation: boolean }>(
      `SELECT valid_to IS NULL AS open, delegation FROM dossier_member_history
        WHERE person_id = $1 ORDER BY id`,
      [adult.personId],
    );
    expect(h.rows).toEqual([
      { open: false, delegation: false },
      { open: true, delegation: true },
    ]);
  });

  it('pays 24 months to returned households, `paymentMonths` to the others; one letter or two each', async () => {
    const r = await db.pool.query<{ number: string; months: number; letters: number }>(
      `SELECT d.number,
              (SELECT count(DISTINCT p.paid_on) FROM payments p WHERE p.dossier_id = d.id)::int AS months,
              (SELECT count(*) FROM letters l WHERE l.dossier_id = d.id)::int AS letters
         FROM dossiers d WHERE d.number >= '8000000' ORDER BY d.number`,
    );
    const returned = new Set([...all, ...sample].map((a) => a.dossierNumber));
    const full = fullMonths();
    // The latest three paid, before the 5th too.
    const short = 3;
    for (const row of r.rows) {
      expect(row.months, row.number).toBe(returned.has(row.number) ? full : short);
      expect(row.letters).toBeGreaterThanOrEqual(1);
      expect(row.letters).toBeLessThanOrEqual(2);
    }
  });
});
