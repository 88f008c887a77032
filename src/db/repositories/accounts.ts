import type { Queryable } from '../pool.ts';

export interface LoginCandidate {
  readonly personId: string;
  readonly passwordHash: string;
  readonly status: string;
}

/** The account a NIR logs into, if that person has one. */
export async function findAccountByNir(db: Queryable, nir: string): Promise<LoginCandidate | null> {
  const r = await db.query<LoginCandidate>(
    `SELECT a.person_id AS "personId", a.password_hash AS "passwordHash", a.status
       FROM accounts a JOIN persons p ON p.id = a.person_id
      WHERE p.nir = $1`,
    [nir],
  );
  return r.rows[0] ?? null;
}
