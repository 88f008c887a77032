import { findAccountByNir } from '#src/db/repositories/accounts.ts';
import type { Queryable } from '#src/db/pool.ts';
import type { PasswordHasher } from './password-hasher.ts';

export type LoginResult = { readonly ok: true; readonly personId: string } | { readonly ok: false };

/**
 * NIR + password. An unknown NIR, a person without an account, a wrong password and a
 * disabled account all cost one argon2 verify and give the same answer.
 */
export async function loginWithNir(
  db: Queryable,
  hasher: PasswordHasher,
  nir: string,
  password: string,
): Promise<LoginResult> {
  const account = await findAccountByNir(db, nir);
  if (!account) {
    await hasher.verifyNothing(password);
    return { ok: false };
  }
  const valid = await hasher.verify(account.passwordHash, password);
  if (!valid || account.status !== 'active') return { ok: false };
  return { ok: true, personId: account.personId };
}
