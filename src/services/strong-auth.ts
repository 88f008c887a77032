import type { CodeChannel } from '#src/db/repositories/one-time-codes.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import {
  findActivePasswordHash,
  recordStrongAuth,
  strongAuthAt,
} from '#src/db/repositories/strong-auth.ts';
import { acrSatisfies } from '#src/franceconnect/client.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Services } from './index.ts';
import { checkCode, sendCode, type CodeCheck } from './one-time-codes.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

/** A strong authentication opens sensitive actions for 10 minutes. */
export const STRONG_AUTH_WINDOW_MS = 10 * 60_000;

/** A FranceConnect+ login (acr eidas2 or more) less than 10 minutes old. */
export function isRecentFranceConnectPlus(principal: Principal, now: Date): boolean {
  return (
    principal.method === 'franceconnect-plus' &&
    acrSatisfies(principal.acr, 'eidas2') &&
    now.getTime() - principal.authenticatedAt.getTime() <= STRONG_AUTH_WINDOW_MS
  );
}

/** FranceConnect+ within 10 minutes, or password + one-time code on this session within 10 minutes. */
export async function hasStrongAuthentication(s: Services, principal: Principal): Promise<boolean> {
  const now = s.now();
  if (isRecentFranceConnectPlus(principal, now)) return true;
  const at = await strongAuthAt(s.pool, principal.sessionHash);
  return at !== null && now.getTime() - at.getTime() <= STRONG_AUTH_WINDOW_MS && at <= now;
}

/** How a strong authentication was obtained, for the record of the change. */
export function strongAuthMethod(principal: Principal, now: Date): string {
  return isRecentFranceConnectPlus(principal, now)
    ? `franceconnect-plus:${principal.acr ?? ''}`
    : 'mot-de-passe+code';
}

export interface VerifiedContact {
  readonly channel: CodeChannel;
  readonly destination: string;
}

/** The contact a step-up code goes to: the verified e-mail, else the verified mobile. */
export async function stepUpContact(
  s: Services,
  personId: string,
): Promise<VerifiedContact | null> {
  const person = await findPersonById(s.pool, personId);
  if (person?.email && person.email_verified_at)
    return { channel: 'email', destination: person.email };
  if (person?.phone && person.phone_verified_at)
    return { channel: 'sms', destination: person.phone };
  return null;
}

/** Whether the person can use the password + code step-up at all. */
export async function canStepUpWithPassword(s: Services, personId: string): Promise<boolean> {
  return (
    (await findActivePasswordHash(s.pool, personId)) !== null &&
    (await stepUpContact(s, personId)) !== null
  );
}

export type PasswordStepUp =
  | { readonly ok: true; readonly contact: VerifiedContact }
  | { readonly ok: false; readonly reason: 'invalid' | 'unavailable' | 'too-many-codes' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * First half of the step-up: the password typed again (throttled like a login, on the same
 * account counter), then a code sent to a verified contact.
 */
export async function startPasswordStepUp(
  s: Services,
  principal: Principal,
  password: string,
  clientIp: string,
): Promise<PasswordStepUp> {
  const person = await findPersonById(s.pool, principal.personId);
  const hash = await findActivePasswordHash(s.pool, principal.personId);
  const contact = await stepUpContact(s, principal.personId);
  if (!person || !hash || !contact) return { ok: false, reason: 'unavailable' };
  // A live session is a known device (ADR 0008): its own budget, never locked by strangers.
  const subjects = {
    account: accountSubject(
      s.secrets.throttles,
      `session:${principal.sessionHash.toString('hex')}`,
    ),
    address: clientIp,
    knownDevice: true,
  };
  const opening = await openAttempt(s.pool, 'password', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  if (!(await s.hasher.verify(hash, password))) {
    await attemptFailed(s.pool, 'password', subjects, s.now());
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'password', subjects);
  const sent = await sendCode(s, 'strong-auth', { personId: principal.personId, ...contact });
  if (sent === 'too-many') return { ok: false, reason: 'too-many-codes' };
  return { ok: true, contact };
}

/** Second half: the code; on success the session records the time of its strong authentication. */
export async function finishCodeStepUp(
  s: Services,
  principal: Principal,
  code: string,
  clientIp: string,
): Promise<CodeCheck> {
  const check = await checkCode(s, 'strong-auth', principal.personId, code, clientIp);
  if (check.ok) await recordStrongAuth(s.pool, principal.sessionHash, s.now());
  return check;
}
