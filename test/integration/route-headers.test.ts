import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { REMEMBER_COOKIES, SESSION_COOKIES, cookieData } from '../support/cookies.ts';
import { persona } from '../support/personas.ts';

const OLD_KEY = TEST_SESSION_KEY;
const NEW_KEY = Buffer.alloc(32, 9).toString('base64');

let rotated: TestApp;

const ctx = useTestApp();

beforeAll(async () => {
  // The same portal after a key rotation: new cookies under NEW_KEY, old ones still read.
  rotated = await createTestApp(ctx.db, { SESSION_KEYS: `${NEW_KEY},${OLD_KEY}` });
});
afterAll(async () => {
  await rotated.app.close();
});

const NOBODY = '00000000-0000-4000-8000-000000000000';

/** A real file for each wildcard route of the static scope; a new wildcard route must add one. */
const STATIC_SAMPLES: Readonly<Record<string, string>> = {
  '/static/dsfr/*': '/static/dsfr/dsfr.min.css',
  '/static/app/*': '/static/app/app.css',
  '/static/zxcvbn/core/*': '/static/zxcvbn/core/zxcvbn-ts.js',
  '/static/zxcvbn/common/*': '/static/zxcvbn/common/zxcvbn-ts.js',
  '/static/zxcvbn/fr/*': '/static/zxcvbn/fr/zxcvbn-ts.js',
  // A letter id nobody has: the 404 page, with the same headers as any page.
  '/mon-compte/courriers/:id': '/mon-compte/courriers/00000000-0000-4000-8000-000000000000',
  '/mon-compte/courriers/:id/verification':
    '/mon-compte/courriers/00000000-0000-4000-8000-000000000000/verification',
  '/mon-compte/courriers/:id/code':
    '/mon-compte/courriers/00000000-0000-4000-8000-000000000000/code',
  // The agents' console (issue 9): a person's pages, by an id that names nobody.
  '/agents/personnes/:id': `/agents/personnes/${NOBODY}`,
  '/agents/personnes/:id/motif': `/agents/personnes/${NOBODY}/motif`,
  '/agents/personnes/:id/attribuer-nir': `/agents/personnes/${NOBODY}/attribuer-nir`,
  '/agents/personnes/:id/:action': `/agents/personnes/${NOBODY}/deverrouiller`,
  '/agents/dossiers-de-test/:key/reinitialiser': '/agents/dossiers-de-test/inconnu/reinitialiser',
  // Incidents (issue 10): a number no incident has.
  '/agents/incidents/:id': '/agents/incidents/999999',
  '/agents/incidents/:id/:action': '/agents/incidents/999999/clore',
  '/agents/incidents/:id/cnil.pdf': '/agents/incidents/999999/cnil.pdf',
  '/agents/incidents/:id/cnil.json': '/agents/incidents/999999/cnil.json',
  '/agents/equipe/:agent/desactiver': `/agents/equipe/${NOBODY}/desactiver`,
};

/** A URL for each route with a parameter outside /static (an id looked up in one's dossier). */
const PARAM_SAMPLES: Readonly<Record<string, string>> = {
  '/mon-compte/paiements/:id': '/mon-compte/paiements/1',
};

const isStatic = (url: string) => url.startsWith('/static/');

function sampleUrl(routeUrl: string): string {
  if (!/[*:]/.test(routeUrl)) return routeUrl;
  const sample = STATIC_SAMPLES[routeUrl] ?? PARAM_SAMPLES[routeUrl];
  if (!sample) throw new Error(`no sample URL for route ${routeUrl}: add one to STATIC_SAMPLES`);
  return sample;
}

interface Target {
  readonly method: string;
  readonly url: string;
  /** The route it stands for (extra targets: unmatched URLs, answered by a 404 handler). */
  readonly route: string;
}

/** Every registered route and method, plus unmatched URLs inside and outside /static. */
function targets(app: FastifyInstance): Target[] {
  const all: Target[] = app.routeTable.map((r) => ({
    method: r.method,
    url: sampleUrl(r.url),
    route: r.url,
  }));
  for (const url of ['/page-qui-n-existe-pas', '/static/dsfr/nope.css', '/static/inconnu']) {
    all.push(
      { method: 'GET', url, route: `404 ${url}` },
      { method: 'POST', url, route: `404 ${url}` },
    );
  }
  return all;
}

/** A visitor's cookies and CSRF token, in one of the states a request can come in. */
interface Visitor {
  readonly cookie: string;
  readonly csrf: string | null;
}

const ANONYMOUS: Visitor = { cookie: '', csrf: null };

async function anonymousWithForm(app: FastifyInstance): Promise<Visitor> {
  const b = new TestBrowser(app);
  const page = await b.get('/connexion');
  return { cookie: b.cookieHeader(), csrf: csrfTokenOf(page.body) };
}

/** Logged in with "Se souvenir de moi" on `app`: a session cookie and a NIR cookie. */
async function loggedIn(app: FastifyInstance, key = 'allocataire-migre'): Promise<Visitor> {
  const camille = persona(key);
  const b = new TestBrowser(app);
  const res = await b.submit('/connexion', {
    nir: camille.nir,
    password: camille.password,
    remember: 'on',
  });
  expect(res.statusCode).toBe(303);
  const page = await b.get('/mon-compte');
  expect(page.statusCode).toBe(200);
  return { cookie: b.cookieHeader(), csrf: csrfTokenOf(page.body) };
}

async function send(app: FastifyInstance, t: Target, v: Visitor): Promise<LightMyRequestResponse> {
  const safe = t.method === 'GET' || t.method === 'HEAD';
  return app.inject({
    method: t.method,
    url: t.url,
    headers: {
      ...(v.cookie ? { cookie: v.cookie } : {}),
      ...(safe ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(safe ? {} : { payload: v.csrf ? new URLSearchParams({ _csrf: v.csrf }).toString() : '' }),
  });
}

function setCookies(res: LightMyRequestResponse): string[] {
  const raw = res.headers['set-cookie'];
  return raw === undefined ? [] : [raw].flat().map(String);
}

/** What is wrong with one response's caching headers (empty: nothing). */
function problemsOf(t: Target, res: LightMyRequestResponse): string[] {
  const where = `${t.method} ${t.url} → ${String(res.statusCode)}`;
  const cacheControl = res.headers['cache-control'] ?? '';
  const problems: string[] = [];
  const cacheable = !/\bno-store\b/.test(cacheControl);
  if (cacheable && setCookies(res).length > 0) {
    problems.push(`${where}: Set-Cookie on a cacheable response (${cacheControl || 'none'})`);
  }
  if (isStatic(t.url) && res.statusCode < 400) {
    if (!/public, max-age=86400/.test(cacheControl)) {
      problems.push(`${where}: static file not cacheable (${cacheControl})`);
    }
    if (setCookies(res).length > 0) problems.push(`${where}: Set-Cookie on a static file`);
  } else {
    if (cacheControl !== 'no-store') problems.push(`${where}: Cache-Control ${cacheControl}`);
    if (!/\bCookie\b/.test(res.headers.vary ?? '')) {
      problems.push(`${where}: Vary ${String(res.headers.vary)}`);
    }
  }
  return problems;
}

describe('every route, every header (driven by the route table)', () => {
  it('sees the whole route table, static and personal routes alike', () => {
    const table = ctx.app.routeTable;
    const has = (method: string, url: string) =>
      table.some((r) => r.method === method && r.url === url);
    const perMethod = new Map<string, number>();
    for (const r of table) perMethod.set(r.method, (perMethod.get(r.method) ?? 0) + 1);
    console.log(
      `route table: ${String(table.length)} routes (${[...perMethod].map(([m, n]) => `${m} ${String(n)}`).join(', ')})`,
    );
    expect(has('GET', '/mon-compte/foyer')).toBe(true);
    expect(has('HEAD', '/mon-compte/foyer')).toBe(true);
    expect(has('POST', '/connexion')).toBe(true);
    expect(has('GET', '/static/dsfr/*')).toBe(true);
    expect(has('GET', '/sante')).toBe(true);
    // Every route the table names is one Fastify really routes.
    for (const r of table) {
      expect(ctx.app.hasRoute({ method: r.method, url: r.url }), `${r.method} ${r.url}`).toBe(true);
    }
  });

  it('marks every non-static response no-store + Vary: Cookie and sets no cookie on a cacheable one, anonymous and logged in', async () => {
    const { app } = ctx;
    const problems: string[] = [];
    let checked = 0;
    // One login for the safe methods; POSTs may end the session, so each gets its own, as
    // another person: « Fermer toutes mes autres sessions » would end the shared one too.
    const shared = await loggedIn(app);
    for (const t of targets(app)) {
      const safe = t.method === 'GET' || t.method === 'HEAD';
      const visitors = [
        ANONYMOUS,
        await anonymousWithForm(app),
        safe ? shared : await loggedIn(app, 'conjoint-sans-delegation'),
      ];
      for (const v of visitors) {
        problems.push(...problemsOf(t, await send(app, t, v)));
        checked++;
      }
    }
    // The shared visitor stayed logged in throughout: its responses were a logged-in person's.
    expect(
      (await send(app, { method: 'GET', url: '/mon-compte', route: '' }, shared)).statusCode,
    ).toBe(200);
    console.log(`headers checked on ${String(checked)} responses`);
    expect(problems).toEqual([]);
    expect(checked).toBe(targets(app).length * 3);
  });

  it('sets no cookie on a static or cacheable response after a key rotation, while re-issuing on personal pages', async () => {
    const problems: string[] = [];
    let reissued = 0;
    let checked = 0;
    for (const t of targets(rotated.app)) {
      // A session and a NIR cookie made under the old key, sent to the rotated portal.
      const v = await loggedIn(ctx.app);
      const res = await send(rotated.app, t, v);
      problems.push(...problemsOf(t, res));
      checked++;
      if (setCookies(res).length > 0) reissued++;
    }
    console.log(
      `after rotation: ${String(checked)} responses checked, ${String(reissued)} re-issued cookies (all no-store)`,
    );
    expect(problems).toEqual([]);
    // Not vacuous: the old cookies were read and re-issued under the new key on personal pages.
    expect(reissued).toBeGreaterThan(0);
  });

  it('re-issues a cookie made under the old key under the new one, on a no-store page only', async () => {
    const v = await loggedIn(ctx.app);
    const page = await rotated.app.inject({
      method: 'GET',
      url: '/mon-compte',
      headers: { cookie: v.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const byName = new Map(page.cookies.map((c) => [c.name, c.value]));
    const session = SESSION_COOKIES.map((n) => byName.get(n)).find(Boolean);
    const remember = REMEMBER_COOKIES.map((n) => byName.get(n)).find(Boolean);
    expect(typeof cookieData(rotated.app, session)?.sid).toBe('string');
    expect(cookieData(rotated.app, remember, 'remember')).toEqual({
      nir: persona('allocataire-migre').nir,
    });
    // Under the new key: the portal still on the old key alone cannot read it.
    expect(cookieData(ctx.app, session)).toBeNull();
    const file = await rotated.app.inject({
      method: 'GET',
      url: '/static/dsfr/dsfr.min.css',
      headers: { cookie: v.cookie },
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['set-cookie']).toBeUndefined();
  });

  it('does no session work on static files and /sante: the session row is not even touched', async () => {
    const v = await loggedIn(ctx.app);
    const lastSeen = async () =>
      (
        await ctx.pool.query<{ t: string }>(
          'SELECT max(last_seen_at)::text AS t FROM sessions WHERE revoked_at IS NULL',
        )
      ).rows[0]?.t;
    // Last seen two minutes ago: a page would touch it now (ADR 0016); these must not.
    await ctx.pool.query(
      "UPDATE sessions SET last_seen_at = last_seen_at - interval '2 minutes' WHERE revoked_at IS NULL",
    );
    const before = await lastSeen();
    for (const url of ['/static/dsfr/dsfr.min.css', '/static/app/app.css', '/sante']) {
      const res = await rotated.app.inject({ method: 'GET', url, headers: { cookie: v.cookie } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const sante = await rotated.app.inject({
      method: 'GET',
      url: '/sante',
      headers: { cookie: v.cookie },
    });
    expect(sante.json()).toEqual({ status: 'ok' });
    expect(await lastSeen()).toBe(before);
    await rotated.app.inject({ method: 'GET', url: '/mon-compte', headers: { cookie: v.cookie } });
    expect(await lastSeen()).not.toBe(before);
  });
});
