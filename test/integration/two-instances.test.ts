import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, type Pool } from '#src/db/pool.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../support/app.ts';
import { TestBrowser, headerNameOf, type Reply } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

const OLD = TEST_SESSION_KEY;
const NEW = Buffer.alloc(32, 11).toString('base64');

let db: TestDatabase;
/** Instance B has a pool of its own: the two share nothing but Postgres. */
let poolB: Pool;
let a: TestApp;
let b: TestApp;

/** (Re)starts instance A or B with these session keys. */
async function restart(which: 'a' | 'b', keys: string): Promise<void> {
  if (which === 'a') {
    await a.app.close();
    a = await createTestApp(db, { SESSION_KEYS: keys });
  } else {
    await b.app.close();
    b = await createTestApp({ ...db, pool: poolB }, { SESSION_KEYS: keys });
  }
}

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

/** Every response seen in this file, to check that no cacheable one carried a cookie. */
const seen: { url: string; reply: Reply }[] = [];

/** One browser whose requests may land on either instance, as behind a load balancer. */
class Visitor {
  readonly jar = new Map<string, string>();

  private on(app: FastifyInstance): TestBrowser {
    const browser = new TestBrowser(app);
    for (const [k, v] of this.jar) browser.cookies.set(k, v);
    return browser;
  }

  private keep(browser: TestBrowser, url: string, reply: Reply): Reply {
    this.jar.clear();
    for (const [k, v] of browser.cookies) this.jar.set(k, v);
    seen.push({ url, reply });
    return reply;
  }

  async get(app: FastifyInstance, url: string): Promise<Reply> {
    const browser = this.on(app);
    return this.keep(browser, url, await browser.get(url));
  }

  async submit(app: FastifyInstance, page: string, form: Record<string, string>, action = page) {
    const browser = this.on(app);
    return this.keep(browser, action, await browser.submit(page, form, action));
  }

  async login(app: FastifyInstance, nir: string, password: string): Promise<Reply> {
    return this.submit(app, '/connexion', { nir, password, remember: 'on' });
  }

  /** Whose page /mon-compte shows on this instance (null: sent to the login page). */
  async whoOn(app: FastifyInstance): Promise<string | null> {
    // A static file first, cookies attached, as a page's stylesheet link makes a browser do.
    expect((await this.get(app, '/static/app/app.css')).statusCode).toBe(200);
    const res = await this.get(app, '/mon-compte');
    if (res.statusCode === 303) {
      expect(res.headers.location).toBe('/connexion');
      return null;
    }
    expect(res.statusCode).toBe(200);
    return headerNameOf(res.body);
  }
}

/** The next message to this address after `afterId`: delivery may be asynchronous. */
async function nextMessageTo(address: string, afterId: string | undefined) {
  for (let i = 0; i < 100; i++) {
    const m = await lastMessageTo(db.pool, address);
    if (m && m.id !== afterId) return m;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message to ${address}`);
}

describe('two instances on one Postgres', () => {
  it('logout on A ends the session on B at its next request', async () => {
    const camille = persona('allocataire-migre');
    const v = new Visitor();
    expect((await v.login(a.app, camille.nir, camille.password)).statusCode).toBe(303);
    const copy = new Visitor();
    for (const [k, val] of v.jar) copy.jar.set(k, val);
    expect(await copy.whoOn(b.app)).toBe('Camille MARTIN');
    const page = await v.get(a.app, '/mon-compte');
    const logout = await v.submit(a.app, '/mon-compte', {}, '/deconnexion');
    expect(page.statusCode).toBe(200);
    expect(logout.headers.location).toBe('/deconnexion');
    expect(await copy.whoOn(b.app)).toBeNull();
  });

  it('a password reset on A revokes the person’s session on B at its next request', async () => {
    const marie = demo('foyer-sans-lien');
    const nir = required(marie.nir, 'nir');
    const onB = new Visitor();
    expect((await onB.login(b.app, nir, required(marie.password, 'password'))).statusCode).toBe(
      303,
    );
    expect(await onB.whoOn(b.app)).toBe('Marie PETIT');

    const onA = new Visitor();
    const before = (await lastMessageTo(db.pool, 'marie.petit@example.fr'))?.id;
    const started = await onA.submit(a.app, '/mot-de-passe-oublie', {
      nir,
      birthdate: marie.birthdate.split('-').reverse().join('/'),
    });
    expect(started.headers.location).toBe('/mot-de-passe-oublie/code');
    const mail = await nextMessageTo('marie.petit@example.fr', before);
    const verified = await onA.submit(a.app, '/mot-de-passe-oublie/code', {
      code: codeIn(mail.body),
    });
    expect(verified.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
    const done = await onA.submit(a.app, '/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Deux-Instances-35',
    });
    expect(done.headers.location).toBe('/mon-compte');

    expect(await onB.whoOn(b.app)).toBeNull();
    expect(await onA.whoOn(b.app)).toBe('Marie PETIT');
    expect((await new Visitor().login(b.app, nir, 'Deux-Instances-35')).statusCode).toBe(303);
  });

  it('a revocation made through A (agent, incident) ends the session on B at its next request', async () => {
    const sophie = persona('allocataire-leroy');
    const v = new Visitor();
    expect((await v.login(b.app, sophie.nir, sophie.password)).statusCode).toBe(303);
    expect(await v.whoOn(b.app)).toBe('Sophie LEROY');
    const person = await a.deps.pool.query<{ id: string }>(
      'SELECT id FROM persons WHERE nir = $1',
      [sophie.nir],
    );
    const revoked = await revokeSessionsOf(
      a.deps.pool,
      required(person.rows[0]?.id, 'person'),
      'incident',
    );
    expect(revoked).toBeGreaterThan(0);
    expect(await v.whoOn(b.app)).toBeNull();
  });

  it('shares throttling: failures on A count on B', async () => {
    const julien = persona('conjoint-sans-delegation');
    let failures = 0;
    let last: Reply | null = null;
    // Fail on A until A itself slows this NIR down (bounded).
    while (failures < 15) {
      last = await new Visitor().login(a.app, julien.nir, `Mauvais-Mot-${String(failures)}`);
      if (last.statusCode === 429) break;
      expect(last.statusCode).toBe(401);
      failures++;
    }
    expect(last?.statusCode).toBe(429);
    console.log(`throttled on A after ${String(failures)} failures`);
    // B has seen no attempt for this NIR, yet refuses even the right password.
    const onB = await new Visitor().login(b.app, julien.nir, julien.password);
    expect(onB.statusCode).toBe(429);
    expect(onB.body).toContain('Trop de tentatives.');
  });
});

describe('a session-key rotation rolled across two instances', () => {
  it('new,old on A while B still has old, then both new,old, then new: sessions live where a key reads them', async () => {
    await restart('a', OLD);
    await restart('b', OLD);
    const camille = persona('allocataire-migre');
    const early = new Visitor();
    expect((await early.login(a.app, camille.nir, camille.password)).statusCode).toBe(303);
    const untouched = new Visitor();
    for (const [k, val] of early.jar) untouched.jar.set(k, val);

    // Step 1: A encrypts with NEW; B knows only OLD.
    await restart('a', `${NEW},${OLD}`);
    expect(await untouched.whoOn(b.app)).toBe('Camille MARTIN');
    const beforeA = new Map(early.jar);
    expect(await early.whoOn(a.app)).toBe('Camille MARTIN');
    expect(early.jar).not.toEqual(beforeA); // re-issued under NEW by A
    // A cookie under NEW is unreadable on B: B sends the person to the login page.
    expect(await early.whoOn(b.app)).toBeNull();
    const onA = new Visitor();
    expect((await onA.login(a.app, camille.nir, camille.password)).statusCode).toBe(303);
    expect(await onA.whoOn(a.app)).toBe('Camille MARTIN');

    // Step 2: both on NEW,OLD: every cookie of either key works on both.
    await restart('b', `${NEW},${OLD}`);
    expect(await onA.whoOn(b.app)).toBe('Camille MARTIN');
    expect(await untouched.whoOn(b.app)).toBe('Camille MARTIN');
    expect(await untouched.whoOn(a.app)).toBe('Camille MARTIN');

    // Step 3: OLD dropped. Cookies re-issued in step 2 live on; one never re-issued does not.
    const stale = new Visitor();
    const oldOnly = await createTestApp(db, { SESSION_KEYS: OLD });
    try {
      expect((await stale.login(oldOnly.app, camille.nir, camille.password)).statusCode).toBe(303);
    } finally {
      await oldOnly.app.close();
    }
    await restart('a', NEW);
    await restart('b', NEW);
    expect(await onA.whoOn(a.app)).toBe('Camille MARTIN');
    expect(await untouched.whoOn(b.app)).toBe('Camille MARTIN');
    expect(await stale.whoOn(b.app)).toBeNull();
  });

  it('loses no session when NEW is first added for reading only (OLD,NEW), then promoted', async () => {
    await restart('a', OLD);
    await restart('b', OLD);
    const sophie = persona('allocataire-leroy');
    const v = new Visitor();
    expect((await v.login(b.app, sophie.nir, sophie.password)).statusCode).toBe(303);
    const steps: [string, string][] = [
      [`${OLD},${NEW}`, OLD],
      [`${OLD},${NEW}`, `${OLD},${NEW}`],
      [`${NEW},${OLD}`, `${OLD},${NEW}`],
      [`${NEW},${OLD}`, `${NEW},${OLD}`],
      [NEW, `${NEW},${OLD}`],
      [NEW, NEW],
    ];
    for (const [keysA, keysB] of steps) {
      await restart('a', keysA);
      await restart('b', keysB);
      for (const app of [a.app, b.app, a.app, b.app]) {
        expect(await v.whoOn(app), `A=${keysA} B=${keysB}`).toBe('Sophie LEROY');
      }
    }
  });

  it('never carried a cookie on a cacheable response, on either instance, in any step', () => {
    const cacheable = seen.filter(
      ({ reply }) => !/\bno-store\b/.test(String(reply.headers['cache-control'] ?? '')),
    );
    const withCookie = cacheable.filter(({ reply }) => reply.cookies.length > 0);
    console.log(
      `two instances: ${String(seen.length)} responses, ${String(cacheable.length)} cacheable, ${String(withCookie.length)} of them with Set-Cookie`,
    );
    expect(seen.length).toBeGreaterThan(50);
    expect(withCookie.map(({ url }) => url)).toEqual([]);
  });
});
