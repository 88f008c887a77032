import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isStaticAsset } from '../paths.ts';

/**
 * docs/design.md §4.2: nothing but static assets may be stored by a browser or a shared proxy.
 * Set on every response, error pages and redirects included.
 */
export const cacheControl = fp(
  async (app: FastifyInstance) => {
    // Synchronous (no promise a request): it runs on every response.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (!isStaticAsset(request.url) || reply.statusCode >= 400) {
        reply.header('cache-control', 'no-store');
        reply.header('pragma', 'no-cache');
        reply.header('vary', 'Cookie');
      }
      done(null, payload);
    });
  },
  { name: 'cache-control' },
);
