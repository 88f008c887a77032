import type { FastifyRequest } from 'fastify';
import type { AuthMethod } from '#src/domain/principal.ts';
import type { Services } from '#src/services/index.ts';
import { openSession, type LoginContext, type SessionClaims } from '#src/services/sessions.ts';

/**
 * Opens a session for a person who just proved who they are: a new `sessions` row and a
 * regenerated cookie, so nothing from before authentication survives (no fixation).
 */
export async function signIn(
  request: FastifyRequest,
  s: Services,
  personId: string,
  method: AuthMethod,
  acr: string | null = null,
): Promise<void> {
  const claims = await openSession(s.pool, s.config.session, {
    personId,
    method,
    acr,
    clientIp: request.ip,
    userAgent: request.headers['user-agent'] ?? null,
  });
  request.session.regenerate();
  request.session.set('sid', claims.sid);
  request.session.set('pid', claims.pid);
}

/** The request's address and browser, for the session row a service opens. */
export function loginContextOf(request: FastifyRequest): LoginContext {
  return { clientIp: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

/** The cookie of a session a service opened (in the transaction of its journey's last step). */
export function setSessionCookie(request: FastifyRequest, claims: SessionClaims): void {
  request.session.regenerate();
  request.session.set('sid', claims.sid);
  request.session.set('pid', claims.pid);
}

/** "à 14 h 05": the time a throttled person may try again. */
export function retryTime(at: Date): string {
  return new Intl.DateTimeFormat('fr-FR', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Europe/Paris',
  })
    .format(at)
    .replace(':', ' h ');
}
