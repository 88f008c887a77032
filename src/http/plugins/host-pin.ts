import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { paths } from '../paths.ts';

/** The Host header as an URL host (default port dropped), or null when it is not one. */
export function normalisedHost(protocol: string, host: string | undefined): string | null {
  if (!host || /[/?#@\s\\]/.test(host)) return null;
  try {
    return new URL(`${protocol}//${host}`).host.toLowerCase();
  } catch {
    return null;
  }
}

const MISDIRECTED = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Adresse inconnue</title></head><body><h1>Adresse inconnue</h1><p>Ce serveur ne répond pas à cette adresse. Utilisez l’adresse habituelle de Mon Compte.</p></body></html>`;

/**
 * Production answers only to its public name (PUBLIC_URL): a forged Host cannot reach the
 * pages, poison a cache keyed on it, or slip into a link. Health checks come by address.
 * Answered here, before any session work, with a self-contained page (RFC 9110 §15.5.20).
 */
export const hostPin = fp(
  async (app: FastifyInstance, opts: { publicUrl: string | undefined }) => {
    if (!opts.publicUrl) return;
    const publicUrl = new URL(opts.publicUrl);
    const expected = publicUrl.host.toLowerCase();
    const isHealthCheck = (request: FastifyRequest) => request.routeOptions.url === paths.sante;
    // The Host header last found to be ours: the next request, with the same, is not parsed again.
    let accepted: string | undefined;
    app.addHook('onRequest', (request, reply, done) => {
      const host = request.headers.host;
      if ((host !== undefined && host === accepted) || isHealthCheck(request)) {
        done();
        return;
      }
      if (normalisedHost(publicUrl.protocol, host) === expected) {
        accepted = host;
        done();
        return;
      }
      request.log.warn({ host }, 'request for another host refused');
      void reply.code(421).type('text/html; charset=utf-8').send(MISDIRECTED);
    });
  },
  { name: 'host-pin' },
);
