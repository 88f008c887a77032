import type { MemberRole } from '#src/domain/access.ts';
import type { Queryable } from '../pool.ts';

export interface PhoneDossier {
  readonly dossierId: string;
  readonly number: string;
  readonly legacyHash: string | null;
  /** YYYY-MM-DD, or null: the configured cut-off. */
  readonly phoneLegacyUntil: string | null;
  readonly allocataireId: string;
  readonly allocataireBirthdate: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  /** The allocataire has a personal web account. */
  readonly migrated: boolean;
}

/** A dossier by its allocataire number, with its allocataire (the phone's caller). */
export async function findPhoneDossier(
  db: Queryable,
  number: string,
): Promise<PhoneDossier | null> {
  const r = await db.query<PhoneDossier>(
    `SELECT d.id AS "dossierId", d.number, d.legacy_password_hash AS "legacyHash",
            to_char(d.phone_legacy_until, 'YYYY-MM-DD') AS "phoneLegacyUntil",
            p.id AS "allocataireId", p.birthdate AS "allocataireBirthdate", m.role, m.delegation,
            EXISTS (SELECT 1 FROM accounts a WHERE a.person_id = p.id) AS migrated
       FROM dossiers d
       JOIN dossier_members m ON m.dossier_id = d.id AND m.role = 'allocataire'
       JOIN persons p ON p.id = m.person_id
      WHERE d.number = $1`,
    [number],
  );
  return r.rows[0] ?? null;
}

/** The access-log row of one phone answer (no session: a random id stands for the call). */
export async function recordPhoneAccess(
  db: Queryable,
  e: {
    callHash: Buffer;
    personId: string;
    dossierId: string;
    categories: readonly string[];
    route: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route, channel)
     VALUES ($1, $2, $3, $4, $5, 'téléphone')`,
    [e.callHash, e.personId, e.dossierId, e.categories, e.route],
  );
}
