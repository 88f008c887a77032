import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Strict CSP with per-response nonces; HSTS and upgrades only where cookies are Secure. */
export const securityHeaders = fp(
  async (
    app: FastifyInstance,
    opts: { secure: boolean; formActionSources?: () => readonly string[] },
  ) => {
    const formActionSources = opts.formActionSources;
    await app.register(helmet, {
      enableCSPNonces: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'font-src': ["'self'"],
          'connect-src': ["'self'"],
          'form-action': [
            "'self'",
            ...(formActionSources ? [() => formActionSources().join(' ')] : []),
          ],
          'frame-ancestors': ["'none'"],
          'base-uri': ["'none'"],
          'object-src': ["'none'"],
          ...(opts.secure ? { 'upgrade-insecure-requests': [] } : {}),
        },
      },
      hsts: opts.secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'same-origin' },
      crossOriginEmbedderPolicy: false,
      frameguard: { action: 'deny' },
    });
  },
  { name: 'security-headers' },
);
