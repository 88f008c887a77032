import type { MemberRole } from '#src/domain/access.ts';

/** A membership as the matrix decided on it: a page's statement checks it still holds. */
export interface HeldMembership {
  readonly dossierId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
}

/** The memberships a decision was made on, as the JSON parameter `stillHeldSql` reads. */
export function heldMembershipsJson(memberships: readonly HeldMembership[]): string {
  return JSON.stringify(
    memberships.map((m) => ({ dossier_id: m.dossierId, role: m.role, delegation: m.delegation })),
  );
}

/**
 * True when `person` holds exactly the memberships of `asked` (a jsonb parameter made by
 * `heldMembershipsJson`), no more and no fewer, in the statement's snapshot (ADR 0014): for the
 * rules that choose among all of a person's dossiers (letters, attestations).
 */
export const stillHeldSql = (person: string, asked: string): string => `(
  NOT EXISTS (
    SELECT * FROM jsonb_to_recordset(${asked}) AS a(dossier_id uuid, role member_role, delegation boolean)
    EXCEPT SELECT dossier_id, role, delegation FROM dossier_members WHERE person_id = ${person})
  AND NOT EXISTS (
    SELECT dossier_id, role, delegation FROM dossier_members WHERE person_id = ${person}
    EXCEPT SELECT * FROM jsonb_to_recordset(${asked}) AS a(dossier_id uuid, role member_role, delegation boolean)))`;
