import type { MemberRole } from '#src/domain/access.ts';
import type { Queryable } from '../pool.ts';

export interface MembershipRow {
  readonly dossierId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
}

/** The dossiers this person belongs to, allocataire first. */
export async function findMembershipsOf(db: Queryable, personId: string): Promise<MembershipRow[]> {
  const r = await db.query<MembershipRow>(
    `SELECT dossier_id AS "dossierId", role, delegation FROM dossier_members
      WHERE person_id = $1 ORDER BY role, dossier_id`,
    [personId],
  );
  return r.rows;
}

export interface DossierRow {
  readonly id: string;
  readonly number: string;
  readonly addressLine1: string;
  readonly addressLine2: string | null;
  readonly postcode: string;
  readonly city: string;
  readonly familySituation: string;
  readonly iban: string | null;
  readonly bic: string | null;
}

export async function findDossierById(
  db: Queryable,
  dossierId: string,
): Promise<DossierRow | null> {
  const r = await db.query<DossierRow>(
    `SELECT id, number, address_line1 AS "addressLine1", address_line2 AS "addressLine2",
            postcode, city, family_situation AS "familySituation", iban, bic
       FROM dossiers WHERE id = $1`,
    [dossierId],
  );
  return r.rows[0] ?? null;
}

export interface MemberRow {
  readonly personId: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthdate: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
  readonly hasAccount: boolean;
}

export async function listMembers(db: Queryable, dossierId: string): Promise<MemberRow[]> {
  const r = await db.query<MemberRow>(
    `SELECT p.id AS "personId", p.given_name AS "givenName", p.family_name AS "familyName",
            p.birthdate, m.role, m.delegation, (a.person_id IS NOT NULL) AS "hasAccount"
       FROM dossier_members m
       JOIN persons p ON p.id = m.person_id
       LEFT JOIN accounts a ON a.person_id = p.id
      WHERE m.dossier_id = $1
      ORDER BY m.role, p.birthdate`,
    [dossierId],
  );
  return r.rows;
}
