import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { createTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';
import { lastMessageTo } from '../support/outbox.ts';

let two: TestApp;
// One clock for both instances, moved by the tests instead of waiting for real delays.
let clock = Date.parse('2026-11-22T09:00:00Z');
const now = () => new Date(clock);
const later = (ms: number) => {
  clock += ms;
};

const ctx = useTestApp({}, { now });

beforeAll(async () => {
  two = await createTestApp(ctx.db, {}, { now });
});
afterAll(async () => {
  await two.app.close();
});

/** Tries a login on alternating instances, each attempt 1 minute (and any delay) apart. */
async function attempt(nir: string, password: string, i: number) {
  const app = i % 2 === 0 ? ctx.app : two.app;
  return new TestBrowser(app).login(nir, password);
}

describe('throttling across two instances sharing one database', () => {
  it('locks a NIR after 10 wrong passwords, refuses even the right one, and sends a notice', async () => {
    const camille = demo('allocataire-migre');
    const nir = required(camille.nir, 'nir');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      later(60_000);
      let res = await attempt(nir, `Mauvais-Mot-${i}`, i);
      // Past 5 failures, a growing delay: wait it out as a patient guesser would.
      while (res.statusCode === 429 && res.body.includes('réessayez à partir de')) {
        later(30_000);
        res = await attempt(nir, `Mauvais-Mot-${i}`, i);
      }
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 401));
    later(60_000);
    const right = await attempt(nir, required(camille.password, 'password'), 1);
    expect(right.statusCode).toBe(429);
    expect(right.body).toContain('Trop de tentatives.');
    const notice = required(await lastMessageTo(ctx.pool, 'camille.martin@example.fr'), 'notice');
    expect(notice.subject).toBe('Connexion à Mon Compte temporairement bloquée');

    later(61 * 60_000);
    expect((await attempt(nir, required(camille.password, 'password'), 0)).statusCode).toBe(303);
  });

  it('delays the 6th attempt after 5 quick failures', async () => {
    const julien = demo('conjoint-sans-delegation');
    const nir = required(julien.nir, 'nir');
    for (let i = 0; i < 5; i++)
      expect((await attempt(nir, `Faux-Mot-${i}`, i)).statusCode).toBe(401);
    const sixth = await attempt(nir, required(julien.password, 'password'), 5);
    expect(sixth.statusCode).toBe(429);
    later(3_000);
    expect((await attempt(nir, required(julien.password, 'password'), 6)).statusCode).toBe(303);
  });

  it('locks the old 8-digit password after 5 failures', async () => {
    const nathalie = demo('allocataire-non-migre');
    const nir = required(nathalie.nir, 'nir');
    for (let i = 0; i < 5; i++) {
      later(10 * 60_000);
      expect((await attempt(nir, `1111111${i}`, i)).statusCode).toBe(401);
    }
    later(60_000);
    expect((await attempt(nir, required(nathalie.legacyPassword, 'legacy'), 0)).statusCode).toBe(
      429,
    );
  });

  it('throttles an unknown NIR exactly like a known one', async () => {
    const unknown = makeNir({
      sex: 1,
      birthYear: 1966,
      birthMonth: 4,
      department: '87',
      commune: '085',
      order: 77,
    }).value;
    const known = required(demo('allocataire-leroy').nir, 'nir');
    const run = async (nir: string) => {
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        later((10 * 60_000) / 12);
        codes.push((await attempt(nir, `Essai-Numero-${i}`, i)).statusCode);
      }
      return codes;
    };
    const start = clock;
    const a = await run(unknown);
    clock = start;
    const b = await run(known);
    expect(a).toEqual(b);
    expect(a.filter((c) => c === 429).length).toBeGreaterThan(0);
  });

  it('unlocks through "Mot de passe oublié ?": a new password lifts the lock', async () => {
    const sophie = demo('allocataire-leroy');
    const nir = required(sophie.nir, 'nir');
    later(60_000);
    expect((await attempt(nir, required(sophie.password, 'password'), 0)).statusCode).toBe(429);
    const b = new TestBrowser(ctx.app);
    await b.submit('/mot-de-passe-oublie', {
      nir,
      birthdate: sophie.birthdate.split('-').reverse().join('/'),
    });
    const mail = required(await lastMessageTo(ctx.pool, 'sophie.leroy@example.fr'), 'mail');
    const code = /\b(\d{6})\b/.exec(mail.body)?.[1] ?? '';
    await b.submit('/mot-de-passe-oublie/code', { code });
    expect(
      (
        await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
          password: 'Debloque-Ajaccio-1',
        })
      ).headers.location,
    ).toBe('/mon-compte');
    expect((await attempt(nir, 'Debloque-Ajaccio-1', 1)).statusCode).toBe(303);
  });
});

describe('throttling per address', () => {
  it('slows down one address trying many NIRs, once it has 50 failures in the hour', async () => {
    later(2 * 3_600_000);
    for (let i = 0; i < 50; i++) {
      const nir = makeNir({
        sex: 1,
        birthYear: 1950 + (i % 40),
        birthMonth: 1 + (i % 12),
        department: '33',
        commune: '063',
        order: 100 + i,
      }).value;
      expect((await attempt(nir, 'Pulverisation-1', i)).statusCode).toBe(401);
    }
    const marie = demo('foyer-sans-lien');
    const next = await attempt(required(marie.nir, 'nir'), required(marie.password, 'password'), 0);
    expect(next.statusCode).toBe(429);
    later(1_000);
    expect(
      (await attempt(required(marie.nir, 'nir'), required(marie.password, 'password'), 1))
        .statusCode,
    ).toBe(303);
  });
});
