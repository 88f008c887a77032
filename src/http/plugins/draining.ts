import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A request that arrived while the server drains (SIGTERM): errors.ts answers the French 503. */
export class ServerDrainingError extends Error {
  readonly statusCode = 503;
  constructor() {
    super('The server is shutting down');
    this.name = 'ServerDrainingError';
  }
}

/**
 * Graceful shutdown, HTTP side (ADR 0005): once `app.close()` has begun, requests in flight
 * finish and their connections close after the answer (`Connection: close`, else a kept-alive
 * connection holds the close until its keep-alive timeout), and a request arriving on a
 * kept-alive connection gets the French 503 instead of Fastify's English JSON.
 */
export const draining = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    // Synchronous hooks (no promise a request): they run on every request.
    app.addHook('onRequest', (_request, _reply, done) => {
      done(closing ? new ServerDrainingError() : undefined);
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (closing) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'draining' },
);
