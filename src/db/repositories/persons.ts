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
}

const columns = 'id, nir, provisional_id, given_name, family_name, sex, birthdate, email, phone';

export async function findPersonById(db: Queryable, personId: string): Promise<PersonRow | null> {
  const r = await db.query<PersonRow>(`SELECT ${columns} FROM persons WHERE id = $1`, [personId]);
  return r.rows[0] ?? null;
}
