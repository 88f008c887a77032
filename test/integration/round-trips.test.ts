import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

/**
 * Issue 12, ADR 0014: the statements a signed-in page sends to Postgres, counted on the app's
 * pool for one GET of every page of `/mon-compte` (the route table's, without parameters). A
 * page missing from the budget fails: a new page declares what it costs. BEGIN and COMMIT count.
 */
const BUDGET: Readonly<Record<string, number>> = {
  // The request's start (session, memberships, maintenance) + the page's one statement.
  '/mon-compte': 2,
  '/mon-compte/paiements': 2,
  '/mon-compte/courriers': 2,
  '/mon-compte/attestations': 2,
  '/mon-compte/demarches': 2,
  '/mon-compte/foyer': 2,
  '/mon-compte/documents': 2,
  '/mon-compte/separation': 2,
  '/mon-compte/profil': 2,
  '/mon-compte/profil/connexions': 2,
  // The request's start only: the page shows what the session's statement read.
  '/mon-compte/profil/adresse-electronique': 1,
  '/mon-compte/profil/mobile': 1,
  '/mon-compte/profil/mot-de-passe': 1,
  // Forms and rarer pages, not yet in one statement (a transaction of their reads: BEGIN …
  // COMMIT): the bank details' step-up, the change of address, the declaration's draft.
  '/mon-compte/coordonnees-bancaires': 8,
  '/mon-compte/coordonnees-bancaires/enregistrees': 5,
  '/mon-compte/profil/historique': 3,
  '/mon-compte/changement-adresse': 5,
  '/mon-compte/declaration-trimestrielle': 7,
};

const ctx = useTestApp();

let counting = false;
let statements = 0;
/** Statements sent without a name: parsed and planned by Postgres on every call. */
let unnamed = 0;
const wrapped = new WeakSet<object>();
function countOn(client: pg.PoolClient): void {
  if (wrapped.has(client)) return;
  wrapped.add(client);
  const query: (...args: unknown[]) => unknown = client.query.bind(client);
  Object.assign(client, {
    query: (...args: unknown[]) => {
      if (counting) {
        statements++;
        const [config] = args;
        if (typeof config !== 'object' || config === null || !('name' in config)) unnamed++;
      }
      return query(...args);
    },
  });
}

beforeAll(() => {
  ctx.pool.on('acquire', countOn);
});
afterAll(() => {
  ctx.pool.off('acquire', countOn);
});

async function statementsOf(
  browser: TestBrowser,
  url: string,
): Promise<{ status: number; statements: number; unnamed: number }> {
  statements = 0;
  unnamed = 0;
  counting = true;
  try {
    const res = await browser.get(url);
    return { status: res.statusCode, statements, unnamed };
  } finally {
    counting = false;
  }
}

describe('round trips to Postgres a page costs', () => {
  it('every page of /mon-compte Camille sees (every card open) costs its budget, no more', async () => {
    const camille = persona('allocataire-migre');
    const browser = new TestBrowser(ctx.app);
    expect((await browser.login(camille.nir, camille.password)).statusCode).toBe(303);
    const pages = ctx.app.routeTable
      .filter((r) => r.method === 'GET' && r.url.startsWith('/mon-compte') && !r.url.includes(':'))
      .map((r) => r.url);
    expect(pages).toContain('/mon-compte');
    const measured: Record<string, number> = {};
    const unnamedOnDisplayPages: Record<string, number> = {};
    for (const url of pages) {
      // The first request may warm a cache (communes, templates): count the second.
      await statementsOf(browser, url);
      const { status, statements: n, unnamed: u } = await statementsOf(browser, url);
      // Steps of a journey answer a redirect without their flow: they are not pages to show.
      if (status === 200) measured[url] = n;
      // A display page (its start and at most one statement of its own) sends named statements
      // only: prepared once per connection rather than parsed and planned on every view.
      if (status === 200 && n <= 2 && u > 0) unnamedOnDisplayPages[url] = u;
    }
    if (process.env.ROUND_TRIPS_PRINT) console.log(measured);
    expect(measured).toEqual(BUDGET);
    expect(unnamedOnDisplayPages).toEqual({});
  });
});
