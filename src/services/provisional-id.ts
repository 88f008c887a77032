import { withTransaction, type Queryable } from '#src/db/pool.ts';
import { findPersonById, type PersonRow } from '#src/db/repositories/persons.ts';
import {
  findAccountByProvisionalId,
  lockPerson,
  otherHolderOfNir,
  setNirClearingProvisionalId,
} from '#src/db/repositories/provisional-ids.ts';
import { nirMatchesIdentity, parseNir, type Nir, type NirError } from '#src/domain/nir.ts';
import type { LoginResult } from './authentication.ts';
import { attemptSubjects, type KnownDevices } from './devices.ts';
import type { Deps } from './deps.ts';
import { sendLockNotice, sendNotice } from './notices.ts';
import { recordLoginFailure, type LoginContext } from './sessions.ts';
import { attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

export type ProvisionalLoginResult = Exclude<LoginResult, { via: 'legacy' }>;

/** The throttle identifier of a provisional identifier (distinct from every `nir:` one). */
export function provisionalSubject(provisionalId: string): string {
  return `provisional:${provisionalId}`;
}

/**
 * Provisional identifier + password, with the guarantees of `loginWithNir`: one argon2 verify
 * whatever happens, throttled per identifier typed and per address, and the same failure for an
 * unknown identifier, a person without an account and a wrong password.
 */
export async function loginWithProvisionalId(
  s: Deps,
  input: {
    provisionalId: string;
    password: string;
    clientIp: string;
    devices: KnownDevices;
    context?: LoginContext;
  },
): Promise<ProvisionalLoginResult> {
  const subjects = attemptSubjects(
    s,
    provisionalSubject(input.provisionalId),
    input.clientIp,
    input.devices,
  );
  const opening = await openAttempt(s.pool, 'password', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };

  const account = await findAccountByProvisionalId(s.pool, input.provisionalId);
  const valid = account
    ? await s.hasher.verify(account.passwordHash, input.password)
    : await s.hasher.verifyNothing(input.password);
  if (account && valid && account.status === 'active') {
    await attemptSucceeded(s.pool, 'password', subjects);
    const person = await findPersonById(s.pool, account.personId);
    const needsContact = !person?.email_verified_at && !person?.phone_verified_at;
    return { ok: true, via: 'password', personId: account.personId, needsContact };
  }
  await attemptFailed(s.pool, 'password', subjects, s.now());
  // Only a known person's failure is recorded: the unknown-identifier path is unchanged.
  if (account) await recordLoginFailure(s.pool, account.personId, input.context, s.now());
  if (opening.lockedIfFails && account) {
    const person = await findPersonById(s.pool, account.personId);
    if (person) await sendLockNotice(s, person, opening.lockedIfFails);
  }
  return { ok: false, reason: 'invalid' };
}

export type AssignNirResult =
  | { readonly ok: true; readonly person: PersonRow; readonly noticeSent: boolean }
  | {
      readonly ok: false;
      readonly reason:
        'unknown-person' | 'already-has-nir' | 'nir-taken' | 'identity-mismatch' | NirError;
    };

/**
 * The Caf assigned a NIR to a person known by a provisional identifier: in one transaction the
 * NIR is set and the provisional identifier cleared, on the same person row — so the account,
 * its sessions, the access log and the dossier memberships, all keyed by the person id, stay.
 */
export async function assignNir(
  s: Deps,
  personId: string,
  nirInput: string,
  /** More writes in the re-keying's transaction (the console's audit row). */
  alsoInTransaction?: (tx: Queryable, person: PersonRow) => Promise<void>,
): Promise<AssignNirResult> {
  const parsed = parseNir(nirInput);
  if (!parsed.ok) return { ok: false, reason: parsed.error };
  const nir = parsed.nir;
  const outcome = await reKey(s, personId, nir, alsoInTransaction).catch(
    (error: unknown): AssignNirResult => {
      // Two assignments of one NIR at once: the unique index decides.
      if (isUniqueViolation(error)) return { ok: false, reason: 'nir-taken' };
      throw error;
    },
  );
  return outcome;
}

async function reKey(
  s: Deps,
  personId: string,
  nir: Nir,
  alsoInTransaction?: (tx: Queryable, person: PersonRow) => Promise<void>,
): Promise<AssignNirResult> {
  return withTransaction(s.pool, async (tx): Promise<AssignNirResult> => {
    const person = await lockPerson(tx, personId);
    if (!person) return { ok: false, reason: 'unknown-person' };
    if (person.nir !== null) return { ok: false, reason: 'already-has-nir' };
    if (person.sex !== 1 && person.sex !== 2) return { ok: false, reason: 'identity-mismatch' };
    if (!nirMatchesIdentity(nir, { sex: person.sex, birthdate: person.birthdate }))
      return { ok: false, reason: 'identity-mismatch' };
    if (await otherHolderOfNir(tx, nir.value, person.id)) return { ok: false, reason: 'nir-taken' };
    await setNirClearingProvisionalId(tx, person.id, nir.value);
    const updated = { ...person, nir: nir.value, provisional_id: null };
    await alsoInTransaction?.(tx, updated);
    return { ok: true, person: updated, noticeSent: await sendNirAssignedNotice(s, tx, updated) };
  });
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

/** Tells the person their login changed, in the re-keying's transaction; false: no e-mail to use. */
async function sendNirAssignedNotice(s: Deps, tx: Queryable, person: PersonRow): Promise<boolean> {
  if (!person.email) return false;
  return sendNotice(s, tx, {
    channel: 'email',
    to: person.email,
    subject: 'Connectez-vous désormais avec votre numéro de sécurité sociale',
    text: `Bonjour ${person.given_name},\n\nLa Caf a enregistré votre numéro de sécurité sociale. Pour vous connecter à Mon Compte, utilisez-le désormais à la place de votre identifiant provisoire, avec le même mot de passe. Votre dossier et votre historique sont conservés.`,
  });
}
