import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cspDirectives,
  policyHeader,
  securityHeaders,
} from '#src/http/plugins/security-headers.ts';

const FRANCECONNECT = ['https://fc.example', 'https://logout.fc.example'];

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** The headers helmet itself sends with the options this project gave @fastify/helmet. */
async function helmetHeaders(secure: boolean, sources: readonly string[]) {
  const app = Fastify();
  apps.push(app);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(
        Object.entries(cspDirectives(secure, sources)).map(([k, v]) => [k, [...v]]),
      ),
    },
    hsts: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
  });
  app.get('/', async () => 'x');
  return (await app.inject('/')).headers;
}

async function ourHeaders(secure: boolean, sources: () => readonly string[]) {
  const app = Fastify();
  apps.push(app);
  await app.register(securityHeaders, { secure, formActionSources: sources });
  app.get('/', async () => 'x');
  app.get('/boom', async () => {
    throw new Error('boom');
  });
  return { app, headers: (await app.inject('/')).headers };
}

const without = (h: Record<string, unknown>, ...names: string[]) =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !names.includes(k)));

describe('security headers', () => {
  it.each([false, true])('are helmet’s, header for header (secure cookies: %s)', async (secure) => {
    const theirs = await helmetHeaders(secure, FRANCECONNECT);
    const { headers: ours } = await ourHeaders(secure, () => FRANCECONNECT);
    expect(without(ours, 'date')).toEqual(without(theirs, 'date'));
    expect(Object.keys(ours)).toEqual(Object.keys(theirs));
  });

  it('assert the exact policy: our origin only, no inline script, no nonce', async () => {
    const { headers } = await ourHeaders(true, () => FRANCECONNECT);
    expect(headers['content-security-policy']).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self' https://fc.example https://logout.fc.example",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
        'upgrade-insecure-requests',
      ].join(';'),
    );
  });

  it('follow the FranceConnect origins as discovery finds them, on error responses too', async () => {
    let sources: string[] = [];
    const { app } = await ourHeaders(false, () => sources);
    const first = await app.inject('/');
    expect(first.headers['content-security-policy']).toContain("form-action 'self';");
    sources = ['https://fc.example'];
    const second = await app.inject('/boom');
    expect(second.statusCode).toBe(500);
    expect(second.headers['content-security-policy']).toContain(
      "form-action 'self' https://fc.example;",
    );
    expect(second.headers['x-frame-options']).toBe('DENY');
    const missing = await app.inject('/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-security-policy']).toContain('https://fc.example');
  });

  it('refuse a source that would end its directive or start another', () => {
    expect(() =>
      policyHeader(cspDirectives(false, ["https://x.example;script-src 'unsafe-inline'"])),
    ).toThrow(/invalid source/);
    expect(() =>
      policyHeader(cspDirectives(false, ['https://a.example,https://b.example'])),
    ).toThrow(/invalid source/);
  });
});
