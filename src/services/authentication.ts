import { findAccountByNir, findLegacyCandidate } from '#src/db/repositories/accounts.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import type { AttemptKind } from '#src/domain/throttle.ts';
import { attemptSubjects, type KnownDevices } from './devices.ts';
import type { Deps } from './deps.ts';
import { sendLockNotice } from './notices.ts';
import { recordLoginFailure, type LoginContext } from './sessions.ts';
import { attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

export type LoginResult =
  /** A personal account: the session can open (after contact validation if none is verified). */
  | {
      readonly ok: true;
      readonly via: 'password';
      readonly personId: string;
      readonly needsContact: boolean;
    }
  /** The old household password of a person not yet migrated: on to /premiere-connexion. */
  | { readonly ok: true; readonly via: 'legacy'; readonly personId: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/** The old dossier password: exactly 8 digits. */
export function looksLikeLegacyPassword(password: string): boolean {
  return /^\d{8}$/.test(password);
}

/** The login identifier of a NIR: its throttle subject and the account a device cookie names. */
export function nirLoginIdentifier(nir: string): string {
  return `nir:${nir}`;
}

/**
 * NIR + password, or NIR + old 8-digit password for a first connection. Every outcome costs one
 * argon2 verify, is throttled per NIR typed (or, from a device that logged in to it before, per
 * device: ADR 0008) and per address, and fails with the same answer whether or not the NIR exists.
 */
export async function loginWithNir(
  s: Deps,
  input: {
    nir: string;
    password: string;
    clientIp: string;
    devices: KnownDevices;
    context?: LoginContext;
  },
): Promise<LoginResult> {
  const kind: AttemptKind = looksLikeLegacyPassword(input.password) ? 'legacy' : 'password';
  const subjects = attemptSubjects(s, nirLoginIdentifier(input.nir), input.clientIp, input.devices);
  const opening = await openAttempt(s.pool, kind, subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };

  const result = await verify(s, input.nir, input.password, kind);
  if (result.ok) {
    await attemptSucceeded(s.pool, kind, subjects);
    return result;
  }
  await attemptFailed(s.pool, kind, subjects, s.now());
  // Only a known person's failure is recorded: the unknown-NIR path does exactly what it did.
  if (result.personId) await recordLoginFailure(s.pool, result.personId, input.context, s.now());
  if (opening.lockedIfFails && result.personId) {
    const person = await findPersonById(s.pool, result.personId);
    if (person) await sendLockNotice(s, person, opening.lockedIfFails);
  }
  return { ok: false, reason: 'invalid' };
}

async function verify(
  s: Deps,
  nir: string,
  password: string,
  kind: AttemptKind,
): Promise<Exclude<LoginResult, { ok: false }> | { ok: false; personId: string | null }> {
  const account = await findAccountByNir(s.pool, nir);
  if (account) {
    // Once migrated, the old household password no longer opens the web account.
    const valid = await s.hasher.verify(account.passwordHash, password);
    if (!valid || account.status !== 'active') return { ok: false, personId: account.personId };
    const person = await findPersonById(s.pool, account.personId);
    const needsContact = !person?.email_verified_at && !person?.phone_verified_at;
    return { ok: true, via: 'password', personId: account.personId, needsContact };
  }
  const legacy = kind === 'legacy' ? await findLegacyCandidate(s.pool, nir) : null;
  if (legacy) {
    const valid = await s.hasher.verify(legacy.legacyHash, password);
    return valid
      ? { ok: true, via: 'legacy', personId: legacy.personId }
      : { ok: false, personId: legacy.personId };
  }
  await s.hasher.verifyNothing(password);
  return { ok: false, personId: null };
}
