import { findLegacyCandidate, hasAccount } from '#src/db/repositories/accounts.ts';
import { findPersonById, findPersonByNir, type PersonRow } from '#src/db/repositories/persons.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import { clearAccountThrottles } from '#src/db/repositories/throttles.ts';
import type { Services } from './index.ts';
import { sendPasswordChangedNotice } from './notices.ts';
import { sendCode, type CodeTarget } from './one-time-codes.ts';
import { accountSubject } from './throttling.ts';

/**
 * Where a recovery code goes: a verified contact of an account; for a person who never had an
 * account (first connection, old password forgotten) or never validated one, the contact the
 * Caf has on file.
 */
function recoveryTarget(person: PersonRow): CodeTarget | null {
  const { id, email, phone } = person;
  if (email && person.email_verified_at)
    return { personId: id, channel: 'email', destination: email };
  if (phone && person.phone_verified_at)
    return { personId: id, channel: 'sms', destination: phone };
  if (email) return { personId: id, channel: 'email', destination: email };
  if (phone) return { personId: id, channel: 'sms', destination: phone };
  return null;
}

/**
 * NIR + date of birth → a code to the person's contact. Returns the person to remember in the
 * journey (null when nothing matches); the page shown is the same in every case.
 */
export async function startRecovery(
  s: Services,
  input: { nir: string; birthdate: string },
): Promise<{ personId: string | null }> {
  const person = await findPersonByNir(s.pool, input.nir);
  if (person?.birthdate !== input.birthdate) return { personId: null };
  // Only people who may log in: an account holder, or an allocataire/conjoint not yet migrated.
  const eligible =
    (await hasAccount(s.pool, person.id)) ||
    (await findLegacyCandidate(s.pool, input.nir)) !== null;
  const target = eligible ? recoveryTarget(person) : null;
  if (!target) return { personId: null };
  await sendCode(s, 'password-recovery', target);
  return { personId: person.id };
}

/** "Renvoyer un code": a new code to the same kind of contact, within the hourly limit. */
export async function resendRecoveryCode(s: Services, personId: string): Promise<void> {
  const person = await findPersonById(s.pool, personId);
  const target = person ? recoveryTarget(person) : null;
  if (target) await sendCode(s, 'password-recovery', target);
}

/** After a new password: other sessions revoked, locks lifted, the person told. */
export async function afterPasswordReset(
  s: Services,
  person: PersonRow,
  keep: Buffer | null,
): Promise<void> {
  await revokeSessionsOf(s.pool, person.id, 'reinitialisation-mot-de-passe', keep);
  // A new password is also the unlock path of a locked account (issue 3, CNIL 2022-100).
  const subjects = [
    `code:${person.id}`,
    ...(person.nir ? [`nir:${person.nir}`] : []),
    ...(person.provisional_id ? [`provisional:${person.provisional_id}`] : []),
  ];
  for (const subject of subjects)
    await clearAccountThrottles(s.pool, accountSubject(s.secrets.throttles, subject));
  await sendPasswordChangedNotice(s, person);
}
