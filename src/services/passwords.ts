import { findPersonById, type PersonRow } from '#src/db/repositories/persons.ts';
import { passwordProblems, type PasswordProblem } from '#src/domain/password-policy.ts';
import { isCommonPassword } from './common-passwords.ts';
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
  const problems = passwordProblems(
    password,
    { nir: person.nir, birthdate: person.birthdate },
    await isCommonPassword(password),
  );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, person, hash: await s.hasher.hash(password) };
}
