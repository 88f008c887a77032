import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** Anything a cache may store: every response that does not say `no-store`. */
export function isCacheable(reply: FastifyReply): boolean {
  const cacheControl = reply.getHeader('cache-control');
  return !/(^|[\s,])no-store([\s,]|$)/i.test(String(cacheControl ?? ''));
}

/**
 * Last line of ADR 0006: a cookie on a cacheable response is one person's session replayed to
 * the next visitor by a cache that stores despite `Set-Cookie` (issue 13, item 2). Such a
 * cookie never leaves; stripping one is a bug elsewhere, so it is logged as an error.
 *
 * Registered at the root (static files, health check) and again in the personal scope right
 * after the session plugin, because onSend hooks run parent first: the session's cookie is
 * written after any root hook has looked.
 */
export const cacheableCookieGuard = fp(
  async (app: FastifyInstance) => {
    // Synchronous (no promise a request): it runs on every response, twice on pages.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (reply.hasHeader('set-cookie') && isCacheable(reply)) stripCookies(request, reply);
      done(null, payload);
    });
  },
  { name: 'cacheable-cookie-guard' },
);

function stripCookies(request: FastifyRequest, reply: FastifyReply): void {
  const names = [reply.getHeader('set-cookie')].flat().map((c) => String(c).split('=')[0] ?? '');
  reply.removeHeader('set-cookie');
  request.log.error(
    {
      url: request.url,
      status: reply.statusCode,
      cacheControl: reply.getHeader('cache-control'),
      cookies: names,
    },
    'Set-Cookie stripped from a cacheable response: it would hand this session to whoever the cache serves next',
  );
}
