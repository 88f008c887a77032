import type { MemberRole } from '#src/domain/access.ts';

/** A membership the matrix decided on, as a page statement re-checks it (ADR 0014). */
export interface HeldMembership {
  readonly dossierId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
}

/**
 * True when the person's memberships in the statement's snapshot are exactly `held` (an SQL
 * expression of a jsonb array of {@link HeldMembership}): same dossiers, roles and delegations,
 * none added, none gone. A page that chooses its dossier by the one rule (the first whose column
 * allows the action) decides on all of them, so all of them are re-checked.
 */
export const membershipsHeldSql = (person: string, held: string): string =>
  `NOT EXISTS (
     (SELECT dossier_id, role, delegation FROM dossier_members WHERE person_id = ${person}
      EXCEPT
      SELECT h."dossierId", h.role, h.delegation
        FROM jsonb_to_recordset(${held}) AS h("dossierId" uuid, role member_role, delegation boolean))
     UNION ALL
     (SELECT h."dossierId", h.role, h.delegation
        FROM jsonb_to_recordset(${held}) AS h("dossierId" uuid, role member_role, delegation boolean)
      EXCEPT
      SELECT dossier_id, role, delegation FROM dossier_members WHERE person_id = ${person}))`;

/** The parameter for {@link membershipsHeldSql}. */
export const heldParameter = (held: readonly HeldMembership[]): string =>
  JSON.stringify(held.map(({ dossierId, role, delegation }) => ({ dossierId, role, delegation })));

/** A query's rows as one JSON array (`[]` when none), in the query's order. */
export const jsonRowsSql = (sql: string): string =>
  `(SELECT coalesce(json_agg(t), '[]') FROM (${sql}) t)`;
