import { setPassword } from '#src/db/repositories/accounts.ts';
import { findPersonById, type PersonRow } from '#src/db/repositories/persons.ts';
import { passwordProblems, type PasswordProblem } from '#src/domain/password-policy.ts';
import { isCommonPassword } from './common-passwords.ts';
import type { Services } from './index.ts';

export type PasswordChoice =
  | { readonly ok: true; readonly person: PersonRow }
  | { readonly ok: false; readonly problems: readonly PasswordProblem[] };

/**
 * Sets a person's personal password (creating their account on a first connection) once it
 * meets the policy; records `password_changed_at`.
 */
export async function choosePassword(
  s: Services,
  personId: string,
  password: string,
): Promise<PasswordChoice> {
  const person = await findPersonById(s.pool, personId);
  if (!person) throw new Error('pending journey for a missing person');
  const problems = passwordProblems(
    password,
    { nir: person.nir, birthdate: person.birthdate },
    await isCommonPassword(password),
  );
  if (problems.length > 0) return { ok: false, problems };
  await setPassword(s.pool, personId, await s.hasher.hash(password), s.now());
  return { ok: true, person };
}
