import argon2 from 'argon2';
import { beforeAll, describe, expect, it } from 'vitest';
import { displayName } from '#src/domain/names.ts';
import { RANDOM_PASSWORD, seedRandomHouseholds, type RandomAdult } from '#src/seed/random.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';

let baseUrl: string;
let adults: RandomAdult[];

const ctx = useTestApp();

beforeAll(async () => {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const hash = await argon2.hash(RANDOM_PASSWORD, {
    type: argon2.argon2id,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  adults = await seedRandomHouseholds(ctx.pool, { count: 150, passwordHash: hash });
});

function shuffled<T>(items: readonly T[]): T[] {
  return items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

describe('one request, one person — under concurrency', () => {
  it('gives each of 200+ personas logging in at once only their own name and dossier', async () => {
    expect(adults.length).toBeGreaterThanOrEqual(200);
    const dossierOf = new Map(adults.map((a) => [a.nir, a.dossierNumber]));
    const allDossiers = new Set(adults.map((a) => a.dossierNumber));
    const sessions = adults.map((a) => ({ adult: a, browser: new TestBrowser(baseUrl) }));

    const logins = await Promise.all(
      sessions.map((s) => s.browser.login(s.adult.nir, RANDOM_PASSWORD)),
    );
    expect(logins.filter((r) => r.headers.location !== '/mon-compte')).toEqual([]);

    // Three rounds of every persona fetching their page at once, in a different order each time.
    for (let round = 0; round < 3; round++) {
      const order = shuffled(sessions);
      const pages = await Promise.all(order.map((s) => s.browser.get('/mon-compte')));
      pages.forEach((page, i) => {
        const { adult } = order[i] ?? { adult: null };
        if (!adult) throw new Error('index out of range');
        expect(page.statusCode).toBe(200);
        expect(headerNameOf(page.body)).toBe(displayName(adult.givenName, adult.familyName));
        const shown = new Set([...page.body.matchAll(/data-dossier="(\d{7})"/g)].map((m) => m[1]));
        expect([...shown]).toEqual([dossierOf.get(adult.nir)]);
        const foreign = [...page.body.matchAll(/\b(8\d{6})\b/g)]
          .map((m) => m[1])
          .filter((n) => n !== adult.dossierNumber && n !== undefined && allDossiers.has(n));
        expect(foreign).toEqual([]);
        expect(page.headers['cache-control']).toBe('no-store');
      });
    }
  });
});
