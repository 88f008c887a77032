import csrf from '@fastify/csrf-protection';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { paths } from '../paths.ts';
import { sendToLogin } from './session.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every state-changing request needs the token of the form it came from (field `_csrf`). */
export const csrfProtection = fp(
  async (app: FastifyInstance) => {
    await app.register(csrf, {
      sessionPlugin: '@fastify/secure-session',
      getToken: (request) => {
        const body: unknown = request.body;
        if (typeof body === 'object' && body !== null && '_csrf' in body) {
          return typeof body._csrf === 'string' ? body._csrf : undefined;
        }
        return undefined;
      },
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (SAFE_METHODS.has(request.method)) {
        done();
        return;
      }
      // A form of the area sent after the session ended: log in again, not "formulaire expiré".
      if (request.sessionExpired && request.url.startsWith(paths.monCompte)) {
        sendToLogin(request, reply);
        return;
      }
      // « Se déconnecter » after the session ended: already logged out, say so.
      if (request.sessionExpired && request.url === paths.deconnexion) {
        reply.redirect(paths.deconnexion, 303);
        return;
      }
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'csrf', dependencies: ['session'] },
);
