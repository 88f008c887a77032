import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '#src/db/pool.ts';
import { insertAuthEvent } from '#src/db/repositories/auth-events.ts';
import {
  insertSession,
  revokeSession,
  startRequest as readRequestStart,
} from '#src/db/repositories/sessions.ts';
import { displayName } from '#src/domain/names.ts';
import type { AuthMethod, Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import { membershipsAsOf, type DossierAccess } from './dossier-access.ts';
import type { MaintenanceRead } from './maintenance.ts';
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

/** What a signed-in request starts from (ADR 0014): one statement, one snapshot. */
export interface RequestContext {
  /** null when the cookie's session is missing, expired or revoked. */
  readonly principal: Principal | null;
  /** The principal's dossiers and memberships, as the session statement read them. */
  readonly dossiers: readonly DossierAccess[];
  /** The maintenance row of the same statement: the maintenance plugin reads no second time. */
  readonly maintenance: MaintenanceRead;
}

/**
 * The principal of a request with its dossiers and the maintenance row, in one round trip; a
 * suspended person's session ends here and the request gets the suspension page.
 */
export async function startRequest(
  s: Pick<Deps, 'pool' | 'config' | 'now'>,
  claims: SessionClaims,
): Promise<RequestContext> {
  const sessionHash = hashSessionId(claims.sid);
  const start = await readRequestStart(s.pool, sessionHash, claims.pid, s.config.session.idleMs);
  const live = start.session;
  if (!live) return { principal: null, dossiers: [], maintenance: start.maintenance };
  // Suspended while signed in: this session ends now, and this request gets the suspension page.
  if (live.suspended) {
    await revokeSession(s.pool, sessionHash, 'suspension');
    throw new AccountSuspendedError();
  }
  return {
    principal: {
      personId: claims.pid,
      displayName: displayName(live.givenName, live.familyName),
      sessionHash,
      method: live.method,
      acr: live.acr,
      authenticatedAt: live.authenticatedAt,
    },
    dossiers: membershipsAsOf(start.memberships, s.now()),
    maintenance: start.maintenance,
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
