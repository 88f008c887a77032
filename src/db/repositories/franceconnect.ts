import type { IdentityCandidate } from '#src/franceconnect/pivot-identity.ts';
import type { FranceConnectLevel } from '#src/franceconnect/client.ts';
import type { Queryable } from '../pool.ts';

export async function findLinkedPerson(
  db: Queryable,
  provider: FranceConnectLevel,
  sub: string,
): Promise<string | null> {
  const r = await db.query<{ personId: string }>(
    'SELECT person_id AS "personId" FROM franceconnect_links WHERE provider = $1 AND sub = $2',
    [provider, sub],
  );
  return r.rows[0]?.personId ?? null;
}

/** Idempotent: a second confirmation of the same link changes nothing. */
export async function insertLink(
  db: Queryable,
  link: { provider: FranceConnectLevel; sub: string; personId: string; at: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO franceconnect_links (provider, sub, person_id, linked_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, sub) DO NOTHING`,
    [link.provider, link.sub, link.personId, link.at],
  );
}

/** Persons born that day, of that sex: the few the pivot identity is compared with. */
export async function findIdentityCandidates(
  db: Queryable,
  birthdate: string,
  sex: 1 | 2,
): Promise<IdentityCandidate[]> {
  const r = await db.query<IdentityCandidate>(
    `SELECT id, nir, given_name AS "givenName", family_name AS "familyName",
            birth_name AS "birthName", sex, birthdate
       FROM persons WHERE birthdate = $1 AND sex = $2 LIMIT 50`,
    [birthdate, sex],
  );
  return r.rows;
}

export async function saveFranceConnectSession(
  db: Queryable,
  s: { sessionHash: Buffer; provider: FranceConnectLevel; idToken: string },
): Promise<void> {
  await db.query(
    'INSERT INTO franceconnect_sessions (session_hash, provider, id_token) VALUES ($1, $2, $3)',
    [s.sessionHash, s.provider, s.idToken],
  );
}

export async function findFranceConnectSession(
  db: Queryable,
  sessionHash: Buffer,
): Promise<{ provider: FranceConnectLevel; idToken: string } | null> {
  const r = await db.query<{ provider: FranceConnectLevel; idToken: string }>(
    'SELECT provider, id_token AS "idToken" FROM franceconnect_sessions WHERE session_hash = $1',
    [sessionHash],
  );
  return r.rows[0] ?? null;
}

/** The ID token has served its one purpose (logout): it is not kept any longer. */
export async function deleteFranceConnectSession(
  db: Queryable,
  sessionHash: Buffer,
): Promise<void> {
  await db.query('DELETE FROM franceconnect_sessions WHERE session_hash = $1', [sessionHash]);
}
