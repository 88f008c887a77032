import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, useTestApp, type TestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

let secure: TestApp;

const ctx = useTestApp();

beforeAll(async () => {
  secure = await createTestApp(ctx.db, { SECURE_COOKIES: 'true' });
});
afterAll(async () => {
  await secure.app.close();
});

function expectPrivate(headers: Record<string, unknown>) {
  expect(headers['cache-control']).toBe('no-store');
  expect(String(headers.vary)).toMatch(/Cookie/);
}

describe('headers of session-dependent responses', () => {
  it('marks every page, redirect and error as private and uncacheable', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    const responses = [
      await b.get('/connexion'),
      await b.get('/mon-compte'),
      await b.get('/page-qui-n-existe-pas'),
      await b.post('/connexion', { nir: camille.nir, password: camille.password }),
      await b.login(camille.nir, camille.password),
      await b.get('/mon-compte'),
      await b.get('/'),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 303, 404, 403, 303, 200, 303]);
    for (const r of responses) expectPrivate(r.headers);
  });

  it('sends a strict CSP, the same on every response: our origin only, no inline script', async () => {
    const b = new TestBrowser(ctx.app);
    const one = await b.get('/connexion');
    const two = await b.get('/mon-compte');
    const csp = String(one.headers['content-security-policy']);
    expect(csp).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join(';'),
    );
    expect(two.headers['content-security-policy']).toBe(csp);
    // ADR 0015: every script of the page is an external file of our origin, without a nonce.
    expect(one.body).toMatch(
      /<script type="module" src="\/static\/dsfr\/dsfr.module.min.js"><\/script>/,
    );
    expect(one.body).not.toMatch(/<script(?![^>]*\ssrc="\/static\/)[^>]*>/);
    expect(one.body).not.toContain('nonce');
    expect(one.headers['x-frame-options']).toBe('DENY');
    expect(one.headers['x-content-type-options']).toBe('nosniff');
    expect(one.headers['referrer-policy']).toBe('same-origin');
    const secureCsp = String(
      (await new TestBrowser(secure.app).get('/connexion')).headers['content-security-policy'],
    );
    expect(secureCsp).toBe(`${csp};upgrade-insecure-requests`);
  });

  it('lets only static assets be cached, and sets no cookie on them even for a logged-in person', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    expect((await b.login(camille.nir, camille.password)).statusCode).toBe(303);
    const res = await b.get('/static/dsfr/dsfr.min.css');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toMatch(/public, max-age=86400/);
    expect(String(res.headers.vary ?? '')).not.toMatch(/Cookie/);
    // Every route, logged in and after a key rotation: test/integration/route-headers.test.ts.
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('keeps a missing static file private like any error', async () => {
    const res = await new TestBrowser(ctx.app).get('/static/dsfr/nope.css');
    expect(res.statusCode).toBe(404);
    expectPrivate(res.headers);
  });
});

describe('cookies', () => {
  it('are HttpOnly and SameSite=Lax in local development', async () => {
    const res = await new TestBrowser(ctx.app).get('/connexion');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^moncompte=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
  });

  it('are __Host- prefixed, Secure, Path=/ and without Domain outside local development', async () => {
    const camille = persona('allocataire-migre');
    const b = new TestBrowser(secure.app);
    const res = await b.submit('/connexion', {
      nir: camille.nir,
      password: camille.password,
      remember: 'on',
    });
    expect(res.statusCode).toBe(303);
    const raw = res.headers['set-cookie'];
    const cookies = Array.isArray(raw) ? raw : [String(raw)];
    // Session, "se souvenir de moi" and the device cookie (ADR 0008).
    expect(cookies.length).toBe(3);
    for (const c of cookies) {
      expect(c).toMatch(/^__Host-moncompte(-nir|-appareil)?=/);
      expect(c).toMatch(/; Secure/);
      expect(c).toMatch(/; Path=\//);
      expect(c).toMatch(/; HttpOnly/);
      expect(c).not.toMatch(/Domain=/i);
    }
    expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=31536000/);
  });
});
