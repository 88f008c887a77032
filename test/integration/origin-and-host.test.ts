import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const PUBLIC = 'https://moncompte.example.fr';
const REFUSED = 'Formulaire expiré';

let prod: TestApp;

const ctx = useTestApp();

beforeAll(async () => {
  prod = await createTestApp(ctx.db, { NODE_ENV: 'production', PUBLIC_URL: PUBLIC });
});
afterAll(async () => {
  await prod.app.close();
});

const unsafeRoutes = (app: FastifyInstance) =>
  app.routeTable.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));

/** A cookie and a valid CSRF token, as a visitor who opened the login page has. */
async function formVisitor(app: FastifyInstance, host?: string, loginPage = '/connexion') {
  const page = await app.inject({
    method: 'GET',
    url: loginPage,
    headers: host ? { host } : {},
  });
  expect(page.statusCode).toBe(200);
  return {
    cookie: page.cookies.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; '),
    csrf: csrfTokenOf(page.body),
  };
}

async function post(
  app: FastifyInstance,
  method: string,
  url: string,
  visitor: { cookie: string; csrf: string },
  headers: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const verb = (['POST', 'PUT', 'PATCH', 'DELETE'] as const).find((m) => m === method);
  if (!verb) throw new Error(`no test for method ${method}`);
  return app.inject({
    method: verb,
    url,
    headers: {
      cookie: visitor.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    payload: new URLSearchParams({ _csrf: visitor.csrf }).toString(),
  });
}

describe('Origin and Sec-Fetch-Site on every state-changing route (route table)', () => {
  const crossSite: Record<string, string>[] = [
    { origin: 'https://attaquant.example' },
    { origin: 'null' },
    { origin: 'http://localhost:8080' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'cross-site', origin: 'http://localhost' },
  ];

  it('refuses a cross-site form with the French 403 page, even with a valid CSRF token', async () => {
    const routes = unsafeRoutes(ctx.app);
    expect(routes.length).toBeGreaterThan(15);
    const wrong: string[] = [];
    for (const r of routes) {
      const visitor = await formVisitor(ctx.app);
      for (const headers of crossSite) {
        const res = await post(ctx.app, r.method, r.url, visitor, headers);
        if (
          res.statusCode !== 403 ||
          !res.body.includes(REFUSED) ||
          !res.body.includes('lang="fr"')
        )
          wrong.push(`${r.method} ${r.url} ${JSON.stringify(headers)} → ${String(res.statusCode)}`);
      }
    }
    console.log(`cross-site refusals checked: ${String(routes.length * crossSite.length)}`);
    expect(wrong).toEqual([]);
  });

  it('lets our own forms through, and requests without those headers (other clients) too', async () => {
    const wrong: string[] = [];
    const ours: Record<string, string>[] = [
      { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
      { origin: 'http://localhost:80' },
      {},
    ];
    for (const r of unsafeRoutes(ctx.app)) {
      for (const headers of ours) {
        // The agents' console is its own realm: its forms carry its own cookie's token.
        const login = r.url.startsWith('/agents') ? '/agents/connexion' : '/connexion';
        const visitor = await formVisitor(ctx.app, undefined, login);
        const res = await post(ctx.app, r.method, r.url, visitor, headers);
        if (res.body.includes(REFUSED))
          wrong.push(`${r.method} ${r.url} ${JSON.stringify(headers)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps a logged-in person logged in when another site posts the logout form', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    expect((await b.login(camille.nir, camille.password)).statusCode).toBe(303);
    const page = await b.get('/mon-compte');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/deconnexion',
      headers: {
        cookie: b.cookieHeader(),
        origin: 'https://attaquant.example',
        'sec-fetch-site': 'cross-site',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ _csrf: csrfTokenOf(page.body) }).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect((await b.get('/mon-compte')).statusCode).toBe(200);
  });
});

describe('Host pinned to PUBLIC_URL in production', () => {
  it('answers every route but the health check with a French 421 for another Host, before any session work', async () => {
    const wrong: string[] = [];
    for (const r of prod.app.routeTable) {
      const url = r.url.replace('*', 'dsfr.min.css').replace('/app/dsfr.min.css', '/app/app.css');
      for (const host of ['attaquant.example', 'moncompte.example.fr:8443', 'localhost']) {
        const res = await prod.app.inject({
          method: r.method === 'POST' ? 'POST' : r.method === 'HEAD' ? 'HEAD' : 'GET',
          url,
          headers: { host, cookie: 'moncompte=x' },
        });
        const expected = url === '/sante' ? 200 : 421;
        const ok =
          res.statusCode === expected &&
          res.headers['set-cookie'] === undefined &&
          res.headers['cache-control'] === 'no-store' &&
          (expected === 200 || r.method === 'HEAD' || res.body.includes('Adresse inconnue'));
        if (!ok) wrong.push(`${r.method} ${url} Host ${host} → ${String(res.statusCode)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('serves its public name, with or without the default port, in any case', async () => {
    for (const host of [
      'moncompte.example.fr',
      'moncompte.example.fr:443',
      'MonCompte.Example.FR',
    ]) {
      const res = await prod.app.inject({ method: 'GET', url: '/connexion', headers: { host } });
      expect(res.statusCode, host).toBe(200);
    }
    const file = await prod.app.inject({
      method: 'GET',
      url: '/static/dsfr/dsfr.min.css',
      headers: { host: 'moncompte.example.fr' },
    });
    expect(file.statusCode).toBe(200);
  });

  it('takes PUBLIC_URL as our origin for POSTs', async () => {
    const host = { host: 'moncompte.example.fr' };
    const visitor = await formVisitor(prod.app, host.host);
    const ours = await post(prod.app, 'POST', '/connexion', visitor, { ...host, origin: PUBLIC });
    expect(ours.statusCode).toBe(400);
    expect(ours.body).not.toContain(REFUSED);
    const plainHttp = await post(prod.app, 'POST', '/connexion', visitor, {
      ...host,
      origin: 'http://moncompte.example.fr',
    });
    expect(plainHttp.statusCode).toBe(403);
    expect(plainHttp.body).toContain(REFUSED);
  });

  it('does not pin the Host outside production', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/connexion',
      headers: { host: 'autre-nom.localhost:3000' },
    });
    expect(res.statusCode).toBe(200);
  });
});
