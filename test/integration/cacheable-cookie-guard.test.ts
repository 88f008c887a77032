import { Writable } from 'node:stream';
import secureSession from '@fastify/secure-session';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { cacheableCookieGuard } from '#src/http/plugins/cacheable-cookie-guard.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';

/** A bare Fastify with the session then the guard, as app.ts registers them, and its log lines. */
async function guarded() {
  const lines: { level: number; msg: string; cookies?: string[] }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line: unknown = JSON.parse(chunk.toString());
      if (typeof line === 'object' && line !== null && 'msg' in line && 'level' in line) {
        lines.push({
          level: Number(line.level),
          msg: String(line.msg),
          ...('cookies' in line && Array.isArray(line.cookies)
            ? { cookies: line.cookies.map(String) }
            : {}),
        });
      }
      done();
    },
  });
  const app = Fastify({ logger: { level: 'warn', stream } });
  await app.register(secureSession, {
    key: Buffer.from(TEST_SESSION_KEY, 'base64'),
    cookieName: 'moncompte',
    cookie: { path: '/' },
  });
  await app.register(cacheableCookieGuard);
  for (const [url, cacheControl] of [
    ['/public', 'public, max-age=86400'],
    ['/private', 'private, max-age=60'],
    ['/none', null],
    ['/no-store', 'no-store'],
  ] as const) {
    app.get(url, async (request, reply) => {
      request.session.set('pid', 'someone');
      if (cacheControl) reply.header('cache-control', cacheControl);
      return 'ok';
    });
  }
  await app.ready();
  return { app, lines };
}

describe('the last-line guard: no Set-Cookie on a cacheable response', () => {
  it('strips a cookie from anything not no-store, and says so loudly', async () => {
    const { app, lines } = await guarded();
    const cookieOf = async (url: string) =>
      (await app.inject({ method: 'GET', url })).headers['set-cookie'];
    expect(await cookieOf('/public')).toBeUndefined();
    expect(await cookieOf('/private')).toBeUndefined();
    expect(await cookieOf('/none')).toBeUndefined();
    expect(String(await cookieOf('/no-store'))).toMatch(/^moncompte=/);
    const stripped = lines.filter((l) => l.msg.startsWith('Set-Cookie stripped'));
    expect(stripped).toHaveLength(3);
    for (const l of stripped) {
      expect(l.level).toBe(50);
      expect(l.cookies).toEqual(['moncompte']);
    }
    await app.close();
  });
});
