import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryFor } from '#src/domain/device.ts';
import { displayName } from '#src/domain/names.ts';
import { nirLoginIdentifier } from '#src/services/authentication.ts';
import { knownDevices } from '#src/services/devices.ts';
import { RANDOM_PASSWORD, seedRandomHouseholds, type RandomAdult } from '#src/seed/random.ts';
import {
  createTestApp,
  createTestDatabase,
  type TestApp,
  type TestDatabase,
} from '../support/app.ts';
import { csrfTokenOf, headerNameOf } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { cookieData } from '../support/cookies.ts';
import { startCachingProxy, type CachingProxy } from '../support/nginx.ts';
import { freePort } from '../support/ports.ts';

const PERSONS = 300;
const CONCURRENCY = 40;
const OLD = TEST_SESSION_KEY;
const NEW = Buffer.alloc(32, 13).toString('base64');

/** (a) nginx as shipped: caches what the portal marks cacheable, never a response with a cookie. */
const STANDARD = `location / { proxy_pass http://portal; proxy_cache standard; }`;
/**
 * (b) the CDN setting of the 2021 incident class: static paths cached whatever the portal says,
 * cookie and all; elsewhere `Set-Cookie` and `Vary` ignored and anything not marked
 * no-store kept 10 minutes. Only `Cache-Control: no-store` keeps a page out of it.
 */
const CDN = `
    location /static/ {
      proxy_pass http://portal; proxy_cache cdn;
      proxy_ignore_headers Set-Cookie Cache-Control Expires Vary X-Accel-Expires;
      proxy_cache_valid any 1d;
    }
    location / {
      proxy_pass http://portal; proxy_cache cdn;
      proxy_ignore_headers Set-Cookie Expires Vary X-Accel-Expires;
      proxy_cache_valid 200 301 302 303 10m;
    }`;

const PERSONAL = ['/mon-compte', '/mon-compte/foyer'];
// The NIRs of a page, plain or spaced as the portal shows them (non-breaking spaces since issue
// 8; key optional), and its dossiers.
const NIR_PATTERN =
  /(?<![0-9A-Za-z])([12])[ \u00a0]?([0-9]{2})[ \u00a0]?([0-9]{2})[ \u00a0]?([0-9]{2}|2[AB])[ \u00a0]?([0-9]{3})[ \u00a0]?([0-9]{3})(?:[ \u00a0]?[0-9]{2})?(?![0-9])/g;
const nirsIn = (text: string) => [...text.matchAll(NIR_PATTERN)].map((m) => m.slice(1).join(''));
const DOSSIER_PATTERN = /Numéro allocataire (\d{7})/g;

let db: TestDatabase;
let portal: TestApp;
/** Reads cookies of either key, to map every cookie a client receives back to its session. */
let decoder: TestApp;
let proxy: CachingProxy | undefined;
let appPort: number;
let adults: RandomAdult[] = [];
/** Every NIR on file → the dossier numbers it belongs to. */
const dossiersOfNir = new Map<string, Set<string>>();

async function startPortal(keys: string): Promise<TestApp> {
  const t = await createTestApp(db, { SESSION_KEYS: keys, LOGIN_QUEUE_MAX: '2000' });
  await t.app.listen({ port: appPort, host: '127.0.0.1' });
  return t;
}

beforeAll(async () => {
  db = await createTestDatabase();
  appPort = await freePort();
  portal = await startPortal(OLD);
  decoder = await createTestApp(db, { SESSION_KEYS: `${NEW},${OLD}` });
  const passwordHash = await portal.deps.hasher.hash(RANDOM_PASSWORD);
  while (adults.length < PERSONS) {
    adults.push(...(await seedRandomHouseholds(db.pool, { count: 120, passwordHash })));
  }
  adults = adults.slice(0, PERSONS);
  const members = await db.pool.query<{ nir: string; number: string }>(
    `SELECT p.nir, d.number FROM persons p
       JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id
      WHERE p.nir IS NOT NULL`,
  );
  for (const { nir, number } of members.rows) {
    dossiersOfNir.set(nir, (dossiersOfNir.get(nir) ?? new Set()).add(number));
  }
  const [standardPort, cdnPort] = [await freePort(), await freePort()];
  proxy = await startCachingProxy(appPort, [
    { name: 'standard', port: standardPort, body: STANDARD },
    { name: 'cdn', port: cdnPort, body: CDN },
  ]);
}, 120_000);

afterAll(async () => {
  // nginx first: it is a process of ours that must not outlive a failed set-up.
  await proxy?.stop();
  await portal.app.close();
  await decoder.app.close();
  await db.drop();
});

const counts = {
  persons: 0,
  logins: 0,
  requests: 0,
  pages: 0,
  personalPages: 0,
  cookies: 0,
  foreignPages: 0,
  foreignCookies: 0,
  personalPagesLoggedOut: 0,
  personalPagesCached: 0,
  retriedDuringRestart: 0,
  hits: { standard: 0, cdn: 0 },
  staticRequestsWithCookies: 0,
};
/** Responses by status code, retries excluded. */
const statuses: Record<number, number> = {};
const foreign: string[] = [];
/** Cookie value → the person who first received it: a value two people receive is a replay. */
const firstReceiver = new Map<string, number>();

function flag(what: string): void {
  if (foreign.length < 20) foreign.push(what);
}

/** One person's browser: a cookie jar, shared by both proxies as a browser shares it by host. */
class Person {
  readonly jar = new Map<string, string>();
  readonly name: string;

  constructor(
    readonly index: number,
    readonly adult: RandomAdult,
  ) {
    this.name = displayName(adult.givenName, adult.familyName);
  }

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** One request; retried while the portal behind nginx is restarting (502). */
  async send(
    proxyName: 'standard' | 'cdn',
    path: string,
    form?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: string }> {
    const origin = proxy?.origins[proxyName] ?? '';
    for (let attempt = 0; ; attempt++) {
      const cookie = this.cookieHeader();
      let res: Response;
      let body: string;
      try {
        res = await fetch(origin + path, {
          method: form ? 'POST' : 'GET',
          headers: {
            ...(cookie ? { cookie } : {}),
            ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          },
          body: form ? new URLSearchParams(form).toString() : null,
          redirect: 'manual',
        });
        body = await res.text();
      } catch (error) {
        // A response cut when the old portal's connections were closed under it: GETs only.
        if (form || attempt >= 200) throw error;
        counts.retriedDuringRestart++;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      // The portal restarting behind nginx: 502 (nobody listening) or 503 (closing).
      if ((res.status === 502 || res.status === 503) && attempt < 200) {
        counts.retriedDuringRestart++;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      counts.requests++;
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.headers.get('x-cache-status') === 'HIT') counts.hits[proxyName]++;
      if (path.startsWith('/static/') && cookie) counts.staticRequestsWithCookies++;
      this.receiveCookies(res.headers.getSetCookie(), path);
      this.checkPage(proxyName, path, res, body);
      return { status: res.status, headers: res.headers, body };
    }
  }

  private receiveCookies(lines: string[], path: string): void {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone =
        value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a.toLowerCase()));
      if (gone) {
        this.jar.delete(name);
        continue;
      }
      counts.cookies++;
      const first = firstReceiver.get(value);
      if (first === undefined) firstReceiver.set(value, this.index);
      const remember = name === 'moncompte-nir';
      const data =
        name === 'moncompte' || remember
          ? cookieData(decoder.app, decodeURIComponent(value), remember ? 'remember' : 'session')
          : null;
      const mine =
        first === undefined || first === this.index
          ? name === 'moncompte-appareil'
            ? this.ownDevice(decodeURIComponent(value))
            : data !== null &&
              (remember
                ? data.nir === this.adult.nir
                : data.pid === undefined || data.pid === this.adult.personId)
          : false;
      if (!mine) {
        counts.foreignCookies++;
        flag(`${this.name} received cookie ${name} on ${path}: ${JSON.stringify(data)}`);
      }
      this.jar.set(name, value);
    }
  }

  /** A device cookie (ADR 0008) is this browser's when, signed by our keys, it names only this person. */
  private ownDevice(value: string): boolean {
    const devices = knownDevices(decoder.deps, value);
    const own = entryFor(devices, nirLoginIdentifier(this.adult.nir), new Date());
    return own !== null && devices.entries.length === 1;
  }

  private checkPage(proxyName: string, path: string, res: Response, body: string): void {
    const personal = PERSONAL.includes(path);
    if (personal && res.status === 303) counts.personalPagesLoggedOut++;
    if (res.status !== 200 || !String(res.headers.get('content-type')).includes('text/html')) {
      return;
    }
    counts.pages++;
    if (personal) counts.personalPages++;
    if (personal && res.headers.get('x-cache-status') === 'HIT') counts.personalPagesCached++;
    const shown = headerNameOf(body);
    const problems: string[] = [];
    if (shown !== null && shown !== this.name) problems.push(`header ${shown}`);
    if (personal && shown === null) problems.push('no header name on a personal page');
    const shownNir = /data-nir>([^<]+)</.exec(body)?.[1];
    if (shownNir !== undefined && nirsIn(shownNir)[0] !== this.adult.nir) {
      problems.push(`NIR ${shownNir}`);
    }
    for (const token of nirsIn(body)) {
      const dossiers = dossiersOfNir.get(token);
      if (dossiers && !dossiers.has(this.adult.dossierNumber)) problems.push(`NIR ${token}`);
    }
    for (const [, number] of body.matchAll(DOSSIER_PATTERN)) {
      if (number !== this.adult.dossierNumber) problems.push(`dossier ${String(number)}`);
    }
    if (problems.length > 0) {
      counts.foreignPages++;
      flag(`${this.name} via ${proxyName} ${path}: ${problems.join(', ')}`);
    }
  }

  async login(via: 'standard' | 'cdn'): Promise<void> {
    const page = await this.send(via, '/connexion');
    const res = await this.send(via, '/connexion', {
      _csrf: csrfTokenOf(page.body),
      nir: this.adult.nir,
      password: RANDOM_PASSWORD,
      remember: 'on',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/mon-compte');
    counts.logins++;
  }

  /** These paths through the cookie-ignoring cache first (old cookies meet it first), then (a). */
  async browse(paths: readonly string[]): Promise<void> {
    for (const proxyName of ['cdn', 'standard'] as const) {
      for (const path of paths) await this.send(proxyName, path);
    }
  }
}

describe('through a real caching reverse proxy (nginx proxy_cache)', () => {
  it(`≥ ${String(PERSONS)} persons log in and browse through a standard cache and a cookie-ignoring one, across a key rotation: nothing of one reaches another`, async () => {
    const persons = adults.map((adult, i) => new Person(i, adult));
    counts.persons = persons.length;
    const limit = pLimit(CONCURRENCY);
    const everyone = (task: (p: Person) => Promise<void>) =>
      Promise.all(persons.map((p) => limit(() => task(p))));

    const phases: string[] = [];
    let mark = Date.now();
    const phase = (name: string) => {
      phases.push(`${name} ${String(Date.now() - mark)} ms`);
      mark = Date.now();
    };
    // 1. Log in (half through each proxy) and browse pages and static files through both.
    await everyone(async (p) => {
      await p.login(p.index % 2 === 0 ? 'standard' : 'cdn');
      await p.browse([
        '/mon-compte',
        '/static/dsfr/dsfr.min.css',
        '/mon-compte/foyer',
        '/static/app/app.css',
        '/',
        '/connexion',
      ]);
    });

    phase('login+browse');
    // 2. The portal restarts with SESSION_KEYS=new,old while everyone keeps following links to
    //    static files through the CDN, which answers from its cache meanwhile.
    const restart = (async () => {
      // A process restart: the old one stops (nginx's keep-alive connections cut, or close()
      // would wait for their timeout), then the new one listens on the same port.
      const old = portal;
      const state = { closed: false };
      const closing = old.app.close().then(() => {
        state.closed = true;
      });
      while (!state.closed) {
        old.app.server.closeAllConnections();
        await new Promise((r) => setTimeout(r, 20));
      }
      await closing;
      portal = await startPortal(`${NEW},${OLD}`);
    })();
    await Promise.all([
      restart,
      everyone(async (p) => {
        for (const path of ['/static/app/app.css', '/static/dsfr/dsfr.min.css']) {
          await p.send('cdn', path);
        }
      }),
    ]);
    phase('restart+static');
    // 3. After the rotation, the old cookies first meet static files nobody has fetched yet (a
    //    link with a fresh query), through the CDN first, then personal pages, which re-issue
    //    them under the new key (no-store).
    await everyone((p) =>
      p.browse([
        '/static/app/mot-de-passe.js?apres-rotation',
        '/static/dsfr/dsfr.min.css?apres-rotation',
        '/mon-compte',
        '/mon-compte/foyer',
        '/static/app/app.css?apres-rotation',
      ]),
    );

    phase('after rotation');
    console.log(`phases: ${phases.join(', ')}`);
    console.log(
      `caching proxy: ${JSON.stringify({ ...counts, statuses })}${foreign.length ? `\n${foreign.join('\n')}` : ''}`,
    );
    expect(counts.persons).toBeGreaterThanOrEqual(300);
    expect(counts.logins).toBe(counts.persons);
    expect(counts.foreignPages).toBe(0);
    expect(counts.foreignCookies).toBe(0);
    expect(foreign).toEqual([]);
    // Sessions survived the rotation, no personal page came from a cache, and the caches worked.
    expect(counts.personalPagesLoggedOut).toBe(0);
    expect(counts.personalPagesCached).toBe(0);
    expect(counts.personalPages).toBe(counts.persons * 2 * 2 * 2);
    expect(counts.hits.standard).toBeGreaterThan(0);
    expect(counts.hits.cdn).toBeGreaterThan(0);
    expect(counts.staticRequestsWithCookies).toBeGreaterThan(counts.persons);
  }, 150_000);
});
