import type { Queryable } from '../pool.ts';

export interface NewIdentity {
  readonly nir: string;
  readonly sex: 1 | 2;
  readonly familyName: string;
  readonly givenNames: string;
  readonly birthdate: string;
}

/** What the portal knows of the holder of a NIR, for "Créer mon compte". */
export interface NirHolder {
  readonly personId: string;
  readonly hasAccount: boolean;
  readonly isMember: boolean;
  readonly selfRegisteredAt: Date | null;
  readonly givenName: string;
  readonly email: string | null;
  readonly phone: string | null;
}

/** Serialises the account creations of one NIR until the transaction ends. */
export async function lockNirCreation(tx: Queryable, nir: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`creation:${nir}`]);
}

export async function findNirHolder(db: Queryable, nir: string): Promise<NirHolder | null> {
  const r = await db.query<NirHolder>(
    `SELECT p.id AS "personId",
            EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id) AS "hasAccount",
            EXISTS (SELECT 1 FROM dossier_members m WHERE m.person_id = p.id) AS "isMember",
            p.self_registered_at AS "selfRegisteredAt", p.given_name AS "givenName",
            p.email, p.phone
       FROM persons p WHERE p.nir = $1`,
    [nir],
  );
  return r.rows[0] ?? null;
}

/** A person with no dossier and no account yet; null if the NIR was taken meanwhile. */
export async function insertSelfRegisteredPerson(
  tx: Queryable,
  identity: NewIdentity,
  at: Date,
): Promise<string | null> {
  const r = await tx.query<{ id: string }>(
    `INSERT INTO persons (nir, given_name, family_name, birth_name, sex, birthdate, self_registered_at)
     VALUES ($1, $2, $3, $3, $4, $5, $6)
     ON CONFLICT (nir) DO NOTHING RETURNING id`,
    [identity.nir, identity.givenNames, identity.familyName, identity.sex, identity.birthdate, at],
  );
  return r.rows[0]?.id ?? null;
}

/**
 * Takes over an abandoned attempt (self-registered before `abandonedBefore`, still without
 * account or dossier): the new identity replaces it and no contact of the old attempt stays.
 */
export async function retakeSelfRegisteredPerson(
  tx: Queryable,
  personId: string,
  identity: NewIdentity,
  at: Date,
  abandonedBefore: Date,
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE persons p
        SET given_name = $2, family_name = $3, birth_name = $3, sex = $4, birthdate = $5,
            email = NULL, phone = NULL, email_verified_at = NULL, phone_verified_at = NULL,
            self_registered_at = $6
      WHERE p.id = $1 AND p.self_registered_at < $7
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM dossier_members m WHERE m.person_id = p.id)`,
    [
      personId,
      identity.givenNames,
      identity.familyName,
      identity.sex,
      identity.birthdate,
      at,
      abandonedBefore,
    ],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * Locks a self-registered person who still has neither account nor dossier, and whose NIR is
 * the one given; null otherwise.
 */
export async function lockPendingSelfRegistration(
  tx: Queryable,
  personId: string,
  nir: string,
): Promise<{ id: string } | null> {
  const r = await tx.query<{ id: string }>(
    `SELECT p.id FROM persons p
      WHERE p.id = $1 AND p.nir = $2 AND p.self_registered_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM dossier_members m WHERE m.person_id = p.id)
      FOR UPDATE OF p`,
    [personId, nir],
  );
  return r.rows[0] ?? null;
}

/** The account of a new person; false if one appeared meanwhile (double submit). */
export async function insertAccount(
  tx: Queryable,
  personId: string,
  passwordHash: string,
  at: Date,
): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO accounts (person_id, password_hash, password_changed_at, created_at)
     VALUES ($1, $2, $3, $3) ON CONFLICT (person_id) DO NOTHING`,
    [personId, passwordHash, at],
  );
  return (r.rowCount ?? 0) > 0;
}
