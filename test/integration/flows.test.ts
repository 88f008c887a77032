import { describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';

/** The flow module seen from outside: one id in the cookie, rows that expire, purposes kept apart. */

let clockOffsetMs = 0;

const ctx = useTestApp({}, { now: () => new Date(Date.now() + clockOffsetMs) });

const frDate = (iso: string) => iso.split('-').reverse().join('/');
const COOKIE = 'moncompte';

async function startRecovery(nir: string, birthdate: string) {
  const b = new TestBrowser(ctx.app);
  const res = await b.submit('/mot-de-passe-oublie', { nir, birthdate });
  return { b, res, cookie: required(b.cookies.get(COOKIE), 'session cookie') };
}

describe('the recovery flow', () => {
  it('is started whether or not NIR and birth date match: same redirect, same cookie size', async () => {
    const marie = demo('foyer-sans-lien');
    const nir = required(marie.nir, 'nir');
    const unknown = makeNir({
      sex: 1,
      birthYear: 1970,
      birthMonth: 5,
      department: '33',
      commune: '063',
      order: 321,
    }).value;
    const before = await ctx.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM flows WHERE purpose = 'mot-de-passe-oublie'",
    );
    const runs = [
      await startRecovery(nir, frDate(marie.birthdate)),
      await startRecovery(unknown, '01/05/1970'),
      await startRecovery(nir, '02/02/1992'),
    ];
    for (const r of runs) {
      expect(r.res.statusCode).toBe(303);
      expect(r.res.headers.location).toBe('/mot-de-passe-oublie/code');
    }
    const sizes = runs.map((r) => r.cookie.length);
    console.log(
      `recovery cookie sizes (match, unknown NIR, wrong birth date): ${sizes.join(', ')}`,
    );
    expect(new Set(sizes).size).toBe(1);
    const rows = await ctx.pool.query<{ person: string | null }>(
      `SELECT person_id AS person FROM flows WHERE purpose = 'mot-de-passe-oublie'
        ORDER BY created_at DESC LIMIT 3`,
    );
    expect(rows.rows.map((r) => r.person === null).sort()).toEqual([false, true, true]);
    const after = await ctx.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM flows WHERE purpose = 'mot-de-passe-oublie'",
    );
    expect((after.rows[0]?.n ?? 0) - (before.rows[0]?.n ?? 0)).toBe(3);
  });

  it('expires after 20 minutes: the next step starts again, in French', async () => {
    const marie = demo('foyer-sans-lien');
    const { b } = await startRecovery(required(marie.nir, 'nir'), frDate(marie.birthdate));
    expect((await b.get('/mot-de-passe-oublie/code')).statusCode).toBe(200);
    clockOffsetMs = 21 * 60_000;
    try {
      const late = await b.get('/mot-de-passe-oublie/code');
      expect(late.statusCode).toBe(303);
      expect(late.headers.location).toBe('/mot-de-passe-oublie');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('opens no other journey: its id is refused by the first connection and account creation', async () => {
    const marie = demo('foyer-sans-lien');
    const { b } = await startRecovery(required(marie.nir, 'nir'), frDate(marie.birthdate));
    const first = await b.get('/premiere-connexion');
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/connexion');
    const creation = await b.get('/creer-mon-compte/coordonnees');
    expect(creation.headers.location).toBe('/creer-mon-compte');
  });
});

describe('old rows', () => {
  it('are purged a day after their expiry when a flow starts', async () => {
    await ctx.pool.query(
      `INSERT INTO flows (id_hash, purpose, state, created_at, expires_at)
       VALUES (sha256(random()::text::bytea), 'mot-de-passe-oublie', '{"codeVerified":null}',
               now() - interval '3 days', now() - interval '3 days' + interval '20 minutes')`,
    );
    const stale = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM flows WHERE expires_at < now() - interval '1 day'",
        )
      ).rows[0]?.n ?? 0;
    expect(await stale()).toBeGreaterThan(0);
    await startRecovery(required(demo('foyer-sans-lien').nir, 'nir'), '01/01/1990');
    expect(await stale()).toBe(0);
  });
});
