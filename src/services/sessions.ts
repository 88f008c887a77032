import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '#src/db/pool.ts';
import { insertAuthEvent } from '#src/db/repositories/auth-events.ts';
import { insertSession, revokeSession, touchLiveSession } from '#src/db/repositories/sessions.ts';
import { displayName } from '#src/domain/names.ts';
import type { AuthMethod, Principal } from '#src/domain/principal.ts';
import { AccountSuspendedError, refuseIfSuspended } from './suspension.ts';

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
  // Every way in passes here: a suspended person gets no session, whichever way they came.
  await refuseIfSuspended(db, login.personId);
  const sid = randomBytes(32).toString('base64url');
  const userAgent = login.userAgent?.slice(0, 256) ?? null;
  const at = new Date();
  await insertSession(db, {
    idHash: hashSessionId(sid),
    personId: login.personId,
    method: login.method,
    acr: login.acr,
    authenticatedAt: at,
    absoluteMs: settings.absoluteMs,
    clientIp: login.clientIp,
    userAgent,
  });
  // Every way in opens a session here: its success goes to the history in the same transaction.
  await insertAuthEvent(db, {
    personId: login.personId,
    at,
    outcome: 'success',
    method: login.method,
    userAgent,
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
  // Suspended while signed in: this session ends now, and this request gets the suspension page.
  if (live.suspended) {
    await revokeSession(db, sessionHash, 'suspension');
    throw new AccountSuspendedError();
  }
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

/** A failed password login of a known person, for their history (never for an unknown identifier). */
export async function recordLoginFailure(
  db: Queryable,
  personId: string,
  context: LoginContext | undefined,
  at: Date,
): Promise<void> {
  await insertAuthEvent(db, {
    personId,
    at,
    outcome: 'failure',
    method: 'password',
    userAgent: context?.userAgent?.slice(0, 256) ?? null,
  });
}
