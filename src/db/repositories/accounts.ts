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

export async function hasAccount(db: Queryable, personId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM accounts WHERE person_id = $1', [personId]);
  return (r.rowCount ?? 0) > 0;
}

/** Creates the account, or sets a new password; `password_changed_at` is set either way. */
export async function setPassword(
  db: Queryable,
  personId: string,
  passwordHash: string,
  at: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO accounts (person_id, password_hash, password_changed_at, created_at)
     VALUES ($1, $2, $3, $3)
     ON CONFLICT (person_id) DO UPDATE SET password_hash = EXCLUDED.password_hash,
                                           password_changed_at = EXCLUDED.password_changed_at,
                                           must_change_password = false`,
    [personId, passwordHash, at],
  );
}

export interface LegacyCandidate {
  readonly personId: string;
  readonly legacyHash: string;
}

/**
 * The old household password a not-yet-migrated person may use for a first connection:
 * the allocataire's or the conjoint's dossier, when that person has no personal account.
 */
export async function findLegacyCandidate(
  db: Queryable,
  nir: string,
): Promise<LegacyCandidate | null> {
  const r = await db.query<LegacyCandidate>(
    `SELECT p.id AS "personId", d.legacy_password_hash AS "legacyHash"
       FROM persons p
       JOIN dossier_members m ON m.person_id = p.id AND m.role IN ('allocataire', 'conjoint')
       JOIN dossiers d ON d.id = m.dossier_id
      WHERE p.nir = $1 AND d.legacy_password_hash IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id)
      ORDER BY m.role LIMIT 1`,
    [nir],
  );
  return r.rows[0] ?? null;
}
