import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { accountRules } from '#src/domain/throttle.ts';
import { switchMaintenanceOff, switchMaintenanceOn } from '#src/services/maintenance.ts';
import { z } from 'zod';
import { useTestApp } from '../support/app.ts';
import { demo, required } from '../support/personas.ts';

const TOKEN = 'jeton-du-serveur-vocal-de-test-0123456789';
const ctx = useTestApp({ VOICE_SERVER_TOKEN: TOKEN });

const URL = '/api/serveur-vocal/consultation';

async function call(numeroAllocataire: string, motDePasse: string, token = TOKEN) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: URL,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ numeroAllocataire, motDePasse }),
  });
  return { res, json: res.json<Record<string, unknown>>() };
}

/** The answer's documented shape, checked field by field. */
const answerSchema = z.strictObject({
  numeroAllocataire: z.string(),
  autorise: z.boolean(),
  dernierPaiement: z
    .strictObject({ date: z.string(), montantCentimes: z.number().int(), prestation: z.string() })
    .nullable(),
  prochainPaiement: z.string().nullable(),
  documentsAttendus: z.array(z.string()),
});
const asAnswer = (json: unknown) => answerSchema.parse(json);

async function latestPayment(number: string) {
  const r = await ctx.pool.query<{ paid_on: string; amount_cents: number; benefit: string }>(
    `SELECT p.paid_on, p.amount_cents, p.benefit FROM payments p JOIN dossiers d ON d.id = p.dossier_id
      WHERE d.number = $1 ORDER BY p.paid_on DESC, p.id DESC LIMIT 1`,
    [number],
  );
  return required(r.rows[0], 'payment');
}

/** What the Caf still waits for from this dossier (Mes documents' requests not yet answered). */
async function awaitedDocuments(number: string): Promise<string[]> {
  const r = await ctx.pool.query<{ kind: string }>(
    `SELECT r.kind FROM document_requests r JOIN dossiers d ON d.id = r.dossier_id
      WHERE d.number = $1 AND r.status = 'a-envoyer' ORDER BY r.asked_at, r.id`,
    [number],
  );
  return r.rows.map((row) => row.kind);
}

async function phoneRows(number: string): Promise<{ person_id: string; channel: string }[]> {
  const r = await ctx.pool.query<{ person_id: string; channel: string }>(
    `SELECT a.person_id, a.channel FROM access_log a JOIN dossiers d ON d.id = a.dossier_id
      WHERE d.number = $1 AND a.channel = 'téléphone'`,
    [number],
  );
  return r.rows;
}

interface Caller {
  readonly number: string;
  readonly password: string;
  readonly cents: number;
}

/**
 * `n` dossiers numbered `prefix` + 6 digits, each with its own old password and one payment of
 * its own amount. Cheap argon2id hashes (verify reads the cost from the hash): the tests measure
 * isolation and throttling, not argon2.
 */
async function seedCallers(prefix: string, n: number): Promise<Caller[]> {
  const callers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const number = `${prefix}${String(i).padStart(6, '0')}`;
      const password = String(10_000_000 + i * 37_813).slice(0, 8);
      const hash = await argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: 1024,
        timeCost: 2,
        parallelism: 1,
      });
      return { number, password, hash, cents: 10_000 + i };
    }),
  );
  await ctx.pool.query(
    `WITH d AS (
       INSERT INTO dossiers (number, address_line1, postcode, city, family_situation, legacy_password_hash)
       SELECT number, '1 rue du Test', '75001', 'Paris', 'Célibataire', hash
         FROM unnest($1::text[], $2::text[]) AS t(number, hash)
       RETURNING id, number),
     p AS (
       INSERT INTO persons (given_name, family_name, sex, birthdate)
       SELECT 'Appelant', number, 1, '1980-01-01' FROM d RETURNING id, family_name AS number),
     m AS (
       INSERT INTO dossier_members (dossier_id, person_id, role)
       SELECT d.id, p.id, 'allocataire' FROM d JOIN p USING (number))
     INSERT INTO payments (dossier_id, paid_on, benefit, period, period_start, period_end,
                           gross_cents, amount_cents)
     SELECT d.id, '2026-10-05', 'Allocations familiales', 'septembre 2026', '2026-09-01',
            '2026-09-30', t.cents, t.cents
       FROM d JOIN unnest($1::text[], $3::int[]) AS t(number, cents) USING (number)`,
    [callers.map((c) => c.number), callers.map((c) => c.hash), callers.map((c) => c.cents)],
  );
  return callers;
}

describe('the voice server’s API', () => {
  it('refuses a missing or wrong token with 401, before looking at the caller', async () => {
    const nathalie = demo('allocataire-non-migre');
    const number = required(nathalie.allocataireNumber, 'number');
    const password = required(nathalie.legacyPassword, 'legacy');
    for (const token of ['', 'mauvais-jeton', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const { res, json } = await call(number, password, token);
      expect(res.statusCode, token).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(json).toEqual({ erreur: 'serveur-non-authentifie' });
    }
    expect(await phoneRows(number)).toEqual([]);
  });

  it('answers a non-migrated dossier: last payment, next date, no cookie, no caching, logged', async () => {
    const nathalie = demo('allocataire-non-migre');
    const number = required(nathalie.allocataireNumber, 'number');
    const { res, json } = await call(number, required(nathalie.legacyPassword, 'legacy'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    const answer = asAnswer(json);
    const paid = await latestPayment(number);
    const awaited = await awaitedDocuments(number);
    // The demo asks Nathalie's household for a document: the list cannot pass by being empty.
    expect(awaited.length).toBeGreaterThan(0);
    expect(answer).toMatchObject({
      numeroAllocataire: number,
      autorise: true,
      dernierPaiement: {
        date: paid.paid_on,
        montantCentimes: paid.amount_cents,
        prestation: paid.benefit,
      },
      documentsAttendus: awaited,
    });
    expect(answer.prochainPaiement).toMatch(/^\d{4}-\d{2}-05$/);
    const rows = await phoneRows(number);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.person_id).toBe(
      (
        await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
          nathalie.nir,
        ])
      ).rows[0]?.id,
    );
    // A wrong password: refused, nothing logged.
    expect((await call(number, '00000000')).res.statusCode).toBe(403);
    expect(await phoneRows(number)).toHaveLength(1);
  });

  it('stays up while the public site is in maintenance (its own scope, ADR 0012)', async () => {
    const nathalie = demo('allocataire-non-migre');
    await switchMaintenanceOn(ctx.deps, 'test', {
      endsAt: null,
      message: null,
      endSessions: false,
    });
    try {
      expect((await ctx.app.inject('/connexion')).statusCode).toBe(503);
      const { res } = await call(
        required(nathalie.allocataireNumber, 'number'),
        required(nathalie.legacyPassword, 'legacy'),
      );
      expect(res.statusCode).toBe(200);
    } finally {
      await switchMaintenanceOff(ctx.deps, 'test');
    }
  });

  it('a migrated dossier: the old password answers until the cut-off date (configured, or the dossier’s own)', async () => {
    const camille = demo('allocataire-migre');
    const number = required(camille.allocataireNumber, 'number');
    const password = required(camille.legacyPassword, 'legacy');
    // Default cut-off 2022-03-31 (seed documents), long past on the services' clock.
    expect(ctx.deps.config.phone.legacyPasswordCutoff).toBe('2022-03-31');
    const expired = await call(number, password);
    expect(expired.res.statusCode).toBe(403);
    expect(expired.json).toEqual({ erreur: 'mot-de-passe-expire' });
    await ctx.pool.query(
      `UPDATE dossiers SET phone_legacy_until = '2999-12-31' WHERE number = $1`,
      [number],
    );
    const open = await call(number, password);
    expect(open.res.statusCode).toBe(200);
    expect(asAnswer(open.json).numeroAllocataire).toBe(number);
    await ctx.pool.query(
      `UPDATE dossiers SET phone_legacy_until = '2022-01-01' WHERE number = $1`,
      [number],
    );
    expect((await call(number, password)).res.statusCode).toBe(403);
    // The wrong password stays the wrong password, whatever the date.
    expect((await call(number, '11111111')).json).toEqual({ erreur: 'identifiants-invalides' });
    expect(await phoneRows(number)).toHaveLength(1);
  });

  it('throttles password attempts per allocataire number with the web’s bounds', async () => {
    const [target, bystander] = await seedCallers('7', 2);
    const { number, password } = required(target, 'caller');
    let failures = 0;
    let last = 0;
    while (failures <= accountRules.legacy.lockAfter) {
      const { res } = await call(number, `9${String(failures).padStart(7, '0')}`);
      last = res.statusCode;
      if (last === 429) break;
      expect(last).toBe(403);
      failures++;
    }
    expect(last).toBe(429);
    expect(failures).toBe(accountRules.legacy.freeFailures);
    const right = await call(number, password);
    expect(right.res.statusCode).toBe(429);
    expect(Number(right.res.headers['retry-after'])).toBeGreaterThan(0);
    // Another number is not slowed down.
    const other = required(bystander, 'caller');
    expect((await call(other.number, other.password)).res.statusCode).toBe(200);
  });

  it('200 different callers at once: each answer is about their own dossier only', async () => {
    const n = 200;
    const callers = await seedCallers('8', n);
    const results = await Promise.all(callers.map((c) => call(c.number, c.password)));
    const mismatches = results.flatMap(({ res, json }, i) => {
      const c = required(callers[i], 'caller');
      if (res.statusCode !== 200) return [`${c.number}: ${String(res.statusCode)}`];
      const a = asAnswer(json);
      return a.numeroAllocataire === c.number && a.dernierPaiement?.montantCentimes === c.cents
        ? []
        : [`${c.number}: ${JSON.stringify(a)}`];
    });
    expect(mismatches).toEqual([]);
    const logged = await ctx.pool.query<{ number: string; family_name: string }>(
      `SELECT d.number, p.family_name FROM access_log a JOIN dossiers d ON d.id = a.dossier_id
         JOIN persons p ON p.id = a.person_id
        WHERE a.channel = 'téléphone' AND d.number LIKE '8%'`,
    );
    expect(logged.rows).toHaveLength(n);
    expect(logged.rows.filter((r) => r.number !== r.family_name)).toEqual([]);
  });
});
