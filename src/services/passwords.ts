import { findPersonById, type PersonRow } from '#src/db/repositories/persons.ts';
import {
  ownerWords,
  passwordProblems,
  type PasswordOwnerDetails,
  type PasswordProblem,
} from '#src/domain/password-policy.ts';
import { passwordStrength } from './password-strength.ts';
import type { Deps } from './deps.ts';

export type PreparedPassword =
  | { readonly ok: true; readonly person: PersonRow; readonly hash: string }
  | { readonly ok: false; readonly problems: readonly PasswordProblem[] };

/** Checks a new password against the policy and hashes it, before any transaction (argon2 is slow). */
export async function preparePassword(
  s: Deps,
  personId: string,
  password: string,
): Promise<PreparedPassword> {
  const person = await findPersonById(s.pool, personId);
  if (!person) throw new Error('pending journey for a missing person');
  const problems = newPasswordProblems(password, {
    nir: person.nir,
    birthdate: person.birthdate,
    givenNames: person.given_name,
    familyName: person.family_name,
    email: person.email,
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, person, hash: await s.hasher.hash(password) };
}

/** The policy's floor, then zxcvbn's verdict with the person's own data as guessable words. */
export function newPasswordProblems(
  password: string,
  owner: PasswordOwnerDetails,
): PasswordProblem[] {
  return passwordProblems(password, owner, passwordStrength(password, ownerWords(owner)));
}
