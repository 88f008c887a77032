import type { Queryable } from '../pool.ts';

export interface PersonRow {
  readonly id: string;
  readonly nir: string | null;
  readonly provisional_id: string | null;
  readonly given_name: string;
  readonly family_name: string;
  readonly sex: number;
  readonly birthdate: string;
  readonly email: string | null;
  readonly phone: string | null;
  readonly email_verified_at: Date | null;
  readonly phone_verified_at: Date | null;
}

const columns =
  'id, nir, provisional_id, given_name, family_name, sex, birthdate, email, phone, email_verified_at, phone_verified_at';

export async function findPersonById(db: Queryable, personId: string): Promise<PersonRow | null> {
  const r = await db.query<PersonRow>({
    name: 'person-by-id',
    text: `SELECT ${columns} FROM persons WHERE id = $1`,
    values: [personId],
  });
  return r.rows[0] ?? null;
}

export async function findPersonByNir(db: Queryable, nir: string): Promise<PersonRow | null> {
  const r = await db.query<PersonRow>(`SELECT ${columns} FROM persons WHERE nir = $1`, [nir]);
  return r.rows[0] ?? null;
}

/** Sets the e-mail or phone just proven by a code, and marks it verified. */
export async function setVerifiedContact(
  db: Queryable,
  personId: string,
  channel: 'email' | 'sms',
  destination: string,
  at: Date,
): Promise<void> {
  const sql =
    channel === 'email'
      ? 'UPDATE persons SET email = $2, email_verified_at = $3 WHERE id = $1'
      : 'UPDATE persons SET phone = $2, phone_verified_at = $3 WHERE id = $1';
  await db.query(sql, [personId, destination, at]);
}

/** Removes the e-mail or the mobile (the caller keeps another verified contact). */
export async function clearContact(
  db: Queryable,
  personId: string,
  channel: 'email' | 'sms',
): Promise<void> {
  const sql =
    channel === 'email'
      ? 'UPDATE persons SET email = NULL, email_verified_at = NULL WHERE id = $1'
      : 'UPDATE persons SET phone = NULL, phone_verified_at = NULL WHERE id = $1';
  await db.query(sql, [personId]);
}

/** Locks the person's row: contact changes of one person happen one at a time. */
export async function lockPersonRow(db: Queryable, personId: string): Promise<PersonRow | null> {
  const r = await db.query<PersonRow>(`SELECT ${columns} FROM persons WHERE id = $1 FOR UPDATE`, [
    personId,
  ]);
  return r.rows[0] ?? null;
}
