import type { FastifyRequest } from 'fastify';
import type { LoginContext, SessionClaims } from '#src/services/sessions.ts';

/** The request's address and browser, for the session row a service opens. */
export function loginContextOf(request: FastifyRequest): LoginContext {
  return { clientIp: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/**
 * The cookie of a session a service just opened: regenerated, so nothing from before
 * authentication survives (no fixation).
 */
export function setSessionCookie(request: FastifyRequest, claims: SessionClaims): void {
  request.session.regenerate();
  request.session.set('sid', claims.sid);
  request.session.set('pid', claims.pid);
}
