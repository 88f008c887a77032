import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '#src/db/pool.ts';
import { insertSession, revokeSession, touchLiveSession } from '#src/db/repositories/sessions.ts';
import { displayName } from '#src/domain/names.ts';
import type { AuthMethod, Principal } from '#src/domain/principal.ts';

/** What the encrypted cookie carries. Nothing else in it is trusted. */
export interface SessionClaims {
  readonly sid: string;
  readonly pid: string;
}

export function hashSessionId(sid: string): Buffer {
  return createHash('sha256').update(sid).digest();
}

/** Where a login comes from, recorded on its session row. */
export interface LoginContext {
  readonly clientIp: string | null;
  readonly userAgent: string | null;
}

export interface SessionSettings {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

export async function openSession(
  db: Queryable,
  settings: SessionSettings,
  login: {
    personId: string;
    method: AuthMethod;
    acr: string | null;
    clientIp: string | null;
    userAgent: string | null;
  },
): Promise<SessionClaims> {
  const sid = randomBytes(32).toString('base64url');
  await insertSession(db, {
    idHash: hashSessionId(sid),
    personId: login.personId,
    method: login.method,
    acr: login.acr,
    authenticatedAt: new Date(),
    absoluteMs: settings.absoluteMs,
    clientIp: login.clientIp,
    userAgent: login.userAgent?.slice(0, 256) ?? null,
  });
  return { sid, pid: login.personId };
}

/** The principal of a request, or null when its session is missing, expired or revoked. */
export async function resolvePrincipal(
  db: Queryable,
  settings: SessionSettings,
  claims: SessionClaims,
): Promise<Principal | null> {
  const sessionHash = hashSessionId(claims.sid);
  const live = await touchLiveSession(db, sessionHash, claims.pid, settings.idleMs);
  if (!live) return null;
  return {
    personId: claims.pid,
    displayName: displayName(live.givenName, live.familyName),
    sessionHash,
    method: live.method,
    acr: live.acr,
    authenticatedAt: live.authenticatedAt,
  };
}

export async function closeSession(db: Queryable, principal: Principal): Promise<void> {
  await revokeSession(db, principal.sessionHash, 'deconnexion');
}
