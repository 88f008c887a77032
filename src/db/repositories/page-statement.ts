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

/** Whom a one-dossier page is for and what it was decided on (ADR 0014). */
export interface OneDossierAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership the choice of the dossier was made on: re-checked in the snapshot. */
  readonly held: readonly HeldMembership[];
  readonly dossierId: string;
  /** The access-log row's categories. */
  readonly categories: readonly string[];
}

/**
 * The statement of a page showing one dossier (ADR 0014): the memberships re-checked in its
 * snapshot, each part's rows read as one JSON array under the part's name, and the access-log
 * row written — all only when the memberships still hold. Parameters: those of
 * {@link oneDossierPageValues}; a part may use `$5::uuid` (the dossier) and `$6` (the page's own).
 */
export const oneDossierPageSql = (parts: Readonly<Record<string, string>>): string =>
  `WITH fresh AS (SELECT ${membershipsHeldSql('$1', '$4::jsonb')} AS ok),
   logged AS (
     INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
     SELECT $2, $1, $5, $7::text[], $3 WHERE (SELECT ok FROM fresh)
     RETURNING 1
   )
   SELECT (SELECT ok FROM fresh) AS fresh,
          ${Object.entries(parts)
            .map(
              ([name, sql]) =>
                `CASE WHEN (SELECT ok FROM fresh) THEN ${jsonRowsSql(sql)} END AS "${name}"`,
            )
            .join(',\n          ')},
          (SELECT count(*) FROM logged) AS logged`;

/** The parameters of {@link oneDossierPageSql}: `own` is the page's `$6`. */
export const oneDossierPageValues = (ask: OneDossierAsk, own: unknown): unknown[] => [
  ask.personId,
  ask.sessionHash,
  ask.route,
  heldParameter(ask.held),
  ask.dossierId,
  own,
  ask.categories,
];
