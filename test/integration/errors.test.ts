import { describe, expect, it } from 'vitest';
import { buildApp } from '#src/app.ts';
import { createPool } from '#src/db/pool.ts';
import { buildDeps } from '#src/services/deps.ts';
import { createTestApp, useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { testConfig } from '../support/config.ts';
import { freePort } from '../support/ports.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp();

describe('error pages', () => {
  it('answers an unknown URL with the French 404 page in DSFR', async () => {
    const res = await new TestBrowser(ctx.app).get('/nulle-part');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page non trouvée');
    expect(res.body).toContain('lang="fr"');
    expect(res.body).toContain('/static/dsfr/dsfr.min.css');
  });

  it('answers a malformed body with a French 400 page, no stack trace', async () => {
    const b = new TestBrowser(ctx.app);
    await b.get('/connexion');
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/connexion',
      headers: { cookie: b.cookieHeader(), 'content-type': 'application/json' },
      payload: '{"nir": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Requête invalide');
    expect(res.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('answers an oversized body with a French page, not a 500', async () => {
    const b = new TestBrowser(ctx.app);
    const page = await b.get('/connexion');
    const res = await b.post('/connexion', {
      _csrf: csrfTokenOf(page.body),
      nir: 'x'.repeat(100_000),
      password: 'x',
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('Requête invalide');
  });

  it('refuses a too-long password with a field message, without hashing it', async () => {
    const res = await new TestBrowser(ctx.app).login(
      persona('allocataire-migre').nir,
      'a'.repeat(129),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Le mot de passe ne peut pas dépasser 128 caractères.');
  });
});

describe('bounded login queue', () => {
  it('turns logins beyond the queue into a clear 503 page with Retry-After, and serves the rest', async () => {
    const small = await createTestApp(ctx.db, { LOGIN_CONCURRENCY: '1', LOGIN_QUEUE_MAX: '1' });
    const camille = persona('allocataire-migre');
    const browsers = Array.from({ length: 8 }, () => new TestBrowser(small.app));
    const tokens = await Promise.all(
      browsers.map(async (b) => csrfTokenOf((await b.get('/connexion')).body)),
    );
    const results = await Promise.all(
      browsers.map((b, i) =>
        b.post('/connexion', {
          _csrf: tokens[i] ?? '',
          nir: camille.nir,
          password: camille.password,
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes).toContain(303);
    expect(codes).toContain(503);
    const busy = results.find((r) => r.statusCode === 503);
    expect(busy?.headers['retry-after']).toBe('5');
    expect(busy?.body).toContain('Service très sollicité');
    await small.app.close();
  });
});

describe('database outage', () => {
  it('gives a clear 503 page, and the login page itself still renders', async () => {
    const deadUrl = `postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`;
    const pool = createPool(deadUrl);
    const app = await buildApp(await buildDeps(testConfig(deadUrl), pool));
    const b = new TestBrowser(app);
    const page = await b.get('/connexion');
    expect(page.statusCode).toBe(200);
    const camille = persona('allocataire-migre');
    const res = await b.post('/connexion', {
      _csrf: csrfTokenOf(page.body),
      nir: camille.nir,
      password: camille.password,
    });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body).toContain('Service momentanément indisponible');
    const health = await b.get('/sante');
    expect(health.statusCode).toBe(503);
    await app.close();
    await pool.end();
  });
});

describe('a notification channel that is not available', () => {
  it('answers a clear 503 page instead of a 500 (production has no SMS provider yet)', async () => {
    const prod = await createTestApp(ctx.db, { NODE_ENV: 'production', LOG_LEVEL: 'silent' });
    const karim = persona('conjoint-avec-delegation');
    await ctx.pool.query('UPDATE persons SET email_verified_at = NULL WHERE nir = $1', [karim.nir]);
    const b = new TestBrowser(prod.app);
    expect((await b.login(karim.nir, karim.password)).headers.location).toBe(
      '/premiere-connexion/coordonnees',
    );
    const res = await b.submit('/premiere-connexion/coordonnees', {
      channel: 'sms',
      phone: '06 67 89 01 23',
    });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('Envoi momentanément impossible');
    await prod.app.close();
  });
});
