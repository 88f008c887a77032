import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '#src/db/pool.ts';
import { MAINTENANCE_TEXT } from '#src/domain/maintenance.ts';
import { frenchSpacing } from '#src/http/typography.ts';
import {
  planMaintenance,
  switchMaintenanceOff,
  switchMaintenanceOn,
} from '#src/services/maintenance.ts';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

let db: TestDatabase;
/** Instance B has a pool of its own: the two share nothing but Postgres. */
let poolB: Pool;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  db = await createTestDatabase();
  poolB = createPool(db.url, 10);
  a = await createTestApp(db);
  b = await createTestApp({ ...db, pool: poolB });
});
afterAll(async () => {
  await a.app.close();
  await b.app.close();
  await poolB.end();
  await db.drop();
});

const text = frenchSpacing(MAINTENANCE_TEXT);

/** Every GET page of the personal scope, from the route table (parameters filled in). */
function publicPages(): string[] {
  const urls = a.app.routeTable
    .filter((r) => r.method === 'GET')
    .map((r) => r.url.replace(/:[A-Za-z]+/g, 'x'))
    .filter((u) => !u.startsWith('/static') && u !== '/sante' && !u.includes('*'))
    // The agents' realm stays open: it is where maintenance is run from.
    .filter((u) => !u.startsWith('/agents'));
  return [...new Set(urls)];
}

describe('maintenance mode on two instances', () => {
  it('switched on through A: B’s very next request answers 503, then off again', async () => {
    const camille = persona('allocataire-migre');
    const browser = new TestBrowser(b.app);
    expect((await browser.login(camille.nir, camille.password)).statusCode).toBe(303);
    expect(headerNameOf((await browser.get('/mon-compte')).body)).toBe('Camille MARTIN');

    await switchMaintenanceOn(a.deps, 'test', { endsAt: null, message: null, endSessions: false });
    // Counted, not timed: the first request B serves after the switch is already closed.
    const first = await browser.get('/mon-compte');
    expect(first.statusCode).toBe(503);
    expect(first.headers['retry-after']).toBe('3600');
    expect(first.body).toContain(text);
    expect(first.body).toContain('class="fr-');
    // The page names no one while closed.
    expect(headerNameOf(first.body)).toBeNull();

    await switchMaintenanceOff(a.deps, 'test');
    const after = await browser.get('/mon-compte');
    expect(after.statusCode).toBe(200);
    // Not ended: the session was kept (end_sessions was not asked for).
    expect(headerNameOf(after.body)).toBe('Camille MARTIN');
  });

  it('closes every public page of the route table; /sante, static files and /agents stay open', async () => {
    const ends = new Date(Date.now() + 2 * 3600_000);
    await switchMaintenanceOn(a.deps, 'test', { endsAt: ends, message: null, endSessions: false });
    try {
      const pages = publicPages();
      expect(pages.length).toBeGreaterThan(15);
      for (const url of pages) {
        const res = await b.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.body, url).toContain(text);
        const retry = Number(res.headers['retry-after']);
        expect(retry, url).toBeGreaterThan(3600);
        expect(retry, url).toBeLessThanOrEqual(7200);
      }
      const post = await b.app.inject({ method: 'POST', url: '/connexion', payload: {} });
      expect(post.statusCode).toBe(503);
      expect((await b.app.inject('/sante')).statusCode).toBe(200);
      expect((await b.app.inject('/static/app/app.css')).statusCode).toBe(200);
      // The agents' realm stays open: its login page answers, never the maintenance page.
      const agents = await b.app.inject('/agents/connexion');
      expect(agents.statusCode).toBe(200);
      expect(agents.body).not.toContain(text);
    } finally {
      await switchMaintenanceOff(a.deps, 'test');
    }
    expect((await b.app.inject('/connexion')).statusCode).toBe(200);
  });

  it('a planned window shows its dates on every page before it begins, then closes the site', async () => {
    const starts = new Date(Date.now() + 24 * 3600_000);
    const ends = new Date(starts.getTime() + 3 * 3600_000);
    await planMaintenance(a.deps, 'test', {
      startsAt: starts,
      endsAt: ends,
      message: null,
      endSessions: false,
    });
    try {
      for (const url of ['/connexion', '/mentions-legales', '/plan-du-site']) {
        const res = await b.app.inject(url);
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).toContain('data-maintenance-notice');
        expect(res.body, url).toContain('Maintenance prévue');
      }
      const camille = persona('allocataire-migre');
      const browser = new TestBrowser(b.app);
      expect((await browser.login(camille.nir, camille.password)).statusCode).toBe(303);
      expect((await browser.get('/mon-compte')).body).toContain('data-maintenance-notice');

      // The window moved to have begun: the same pages are closed.
      await planMaintenance(a.deps, 'test', {
        startsAt: new Date(Date.now() - 60_000),
        endsAt: ends,
        message: 'Retour après la mise à jour.',
        endSessions: false,
      });
      const closed = await b.app.inject('/connexion');
      expect(closed.statusCode).toBe(503);
      expect(closed.body).toContain('Retour après la mise à jour.');
    } finally {
      await switchMaintenanceOff(a.deps, 'test');
    }
    const open = await b.app.inject('/connexion');
    expect(open.statusCode).toBe(200);
    expect(open.body).not.toContain('data-maintenance-notice');
  });

  it('ends every public session once when asked, and a past window is off', async () => {
    const sophie = persona('allocataire-leroy');
    const onA = new TestBrowser(a.app);
    expect((await onA.login(sophie.nir, sophie.password)).statusCode).toBe(303);
    const live = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL`,
          )
        ).rows[0]?.n,
      );
    expect(await live()).toBeGreaterThan(0);
    const r = await switchMaintenanceOn(a.deps, 'test', {
      endsAt: null,
      message: null,
      endSessions: true,
    });
    expect(r.sessionsEnded).toBeGreaterThan(0);
    expect(await live()).toBe(0);
    // Requests during the window do not end anything more (the window was claimed once).
    expect((await b.app.inject('/connexion')).statusCode).toBe(503);
    const ended = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM sessions WHERE revoked_reason = 'maintenance'`,
    );
    expect(Number(ended.rows[0]?.n)).toBe(r.sessionsEnded);
    await switchMaintenanceOff(a.deps, 'test');
    expect(headerNameOf((await onA.get('/mon-compte')).body)).toBeNull();

    await planMaintenance(a.deps, 'test', {
      startsAt: new Date(Date.now() - 7200_000),
      endsAt: new Date(Date.now() - 3600_000),
      message: null,
      endSessions: true,
    });
    expect((await b.app.inject('/connexion')).statusCode).toBe(200);
    await switchMaintenanceOff(a.deps, 'test');
  });
});
