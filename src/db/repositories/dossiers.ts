import type { MemberRole } from '#src/domain/access.ts';
import type { Queryable } from '../pool.ts';

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
  /** The quarterly declaration's cycle (RSA, prime d'activité), or null. */
  readonly declarationCycle: number | null;
}

export interface DossierMembershipRow {
  readonly dossier: DossierRow;
  readonly role: MemberRole;
  readonly delegation: boolean;
  /** The member's birth date (YYYY-MM-DD): the matrix decides on the age of the day. */
  readonly birthdate: string;
}

/** Every dossier of a person with their membership, in one round trip (allocataire first). */
export async function findDossiersOfPerson(
  db: Queryable,
  personId: string,
): Promise<DossierMembershipRow[]> {
  const r = await db.query<DossierRow & Omit<DossierMembershipRow, 'dossier'>>({
    name: 'dossiers-of-person',
    text: `SELECT d.id, d.number, d.address_line1 AS "addressLine1", d.address_line2 AS "addressLine2",
            d.postcode, d.city, d.family_situation AS "familySituation", d.iban, d.bic,
            d.quarterly_declaration_cycle AS "declarationCycle", m.role, m.delegation, p.birthdate
       FROM dossier_members m
       JOIN persons p ON p.id = m.person_id
       JOIN dossiers d ON d.id = m.dossier_id
      WHERE m.person_id = $1
      ORDER BY m.role, m.dossier_id`,
    values: [personId],
  });
  return r.rows.map(({ role, delegation, birthdate, ...dossier }) => ({
    dossier,
    role,
    delegation,
    birthdate,
  }));
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
  const r = await db.query<MemberRow>(membersSql('$1'), [dossierId]);
  return r.rows;
}

/** The members of a dossier (an SQL expression), in the page's order: a page statement's part. */
export const membersSql = (dossier: string): string =>
  `SELECT p.id AS "personId", p.given_name AS "givenName", p.family_name AS "familyName",
          p.birthdate, m.role, m.delegation, (a.person_id IS NOT NULL) AS "hasAccount"
     FROM dossier_members m
     JOIN persons p ON p.id = m.person_id
     LEFT JOIN accounts a ON a.person_id = p.id
    WHERE m.dossier_id = ${dossier}
    ORDER BY m.role, p.birthdate`;
