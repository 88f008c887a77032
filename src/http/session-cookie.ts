import { randomBytes } from 'node:crypto';
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
  // The new session's CSRF secret, drawn here, in the cookie being written anyway: else the
  // first page draws it and writes the whole cookie again (@fastify/csrf-protection draws 18
  // random bytes, base64url, when a page finds no secret); the bench's client, which keeps the
  // login's cookie, paid that on every page (issue 12).
  request.session.set('_csrf', randomBytes(18).toString('base64url'));
}
