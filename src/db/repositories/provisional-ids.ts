import type { Queryable } from '../pool.ts';
import type { LoginCandidate } from './accounts.ts';
import type { PersonRow } from './persons.ts';

const personColumns =
  'id, nir, provisional_id, given_name, family_name, sex, birthdate, email, phone, email_verified_at, phone_verified_at';

/** The account a provisional identifier logs into, if that person has one. */
export async function findAccountByProvisionalId(
  db: Queryable,
  provisionalId: string,
): Promise<LoginCandidate | null> {
  const r = await db.query<LoginCandidate>(
    `SELECT a.person_id AS "personId", a.password_hash AS "passwordHash", a.status
       FROM accounts a JOIN persons p ON p.id = a.person_id
      WHERE p.provisional_id = $1`,
    [provisionalId],
  );
  return r.rows[0] ?? null;
}

export async function findPersonByProvisionalId(
  db: Queryable,
  provisionalId: string,
): Promise<PersonRow | null> {
  const r = await db.query<PersonRow>(
    `SELECT ${personColumns} FROM persons WHERE provisional_id = $1`,
    [provisionalId],
  );
  return r.rows[0] ?? null;
}

/** The person's row, locked for the rest of the transaction. */
export async function lockPerson(tx: Queryable, personId: string): Promise<PersonRow | null> {
  const r = await tx.query<PersonRow>(
    `SELECT ${personColumns} FROM persons WHERE id = $1 FOR UPDATE`,
    [personId],
  );
  return r.rows[0] ?? null;
}

/** Another person already holding this NIR, if any. */
export async function otherHolderOfNir(
  db: Queryable,
  nir: string,
  personId: string,
): Promise<string | null> {
  const r = await db.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1 AND id <> $2', [
    nir,
    personId,
  ]);
  return r.rows[0]?.id ?? null;
}

/** Re-keys a person from a provisional identifier to a NIR; the id (and all history) stays. */
export async function setNirClearingProvisionalId(
  tx: Queryable,
  personId: string,
  nir: string,
): Promise<void> {
  await tx.query('UPDATE persons SET nir = $2, provisional_id = NULL WHERE id = $1', [
    personId,
    nir,
  ]);
}
