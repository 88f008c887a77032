import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { benefitsPaidSql, quotientFamilialSql } from './attestations.ts';
import { heldParameter, membershipsHeldSql, type HeldMembership } from './page-statement.ts';

/** "Mes attestations" as the matrix decided it, before the statement runs. */
export interface AttestationsPageAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership of the person the decision was made on: re-checked, all of them. */
  readonly memberships: readonly HeldMembership[];
  /** The dossier the matrix chose (`attestations`). */
  readonly dossierId: string;
  readonly categories: readonly DataCategory[];
}

export type AttestationsPageRows =
  | {
      readonly fresh: true;
      readonly benefits: readonly string[];
      readonly quotientFamilial: boolean;
    }
  /** The person's memberships changed since the session's statement read them. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly benefits: string[] | null;
  readonly quotientFamilial: boolean | null;
}

/**
 * "Mes attestations" in one statement (ADR 0014): the memberships re-checked in its snapshot,
 * what can be attested read, the access-log row written — nothing read or logged when a
 * membership changed (the caller asks again with fresh memberships).
 */
export async function loadAttestationsPageRows(
  db: Queryable,
  ask: AttestationsPageAsk,
): Promise<AttestationsPageRows> {
  const r = await db.query<Row>({
    // Named: parsed and planned once per connection (see courriers-page.ts).
    name: 'attestations-page',
    text: `WITH fresh AS (SELECT (${membershipsHeldSql('$1::uuid', '$4::jsonb')}) AS ok),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $5, $6, $3 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT fresh.ok AS fresh,
            CASE WHEN fresh.ok THEN
              (SELECT coalesce(json_agg(t.benefit), '[]') FROM (${benefitsPaidSql('$5::uuid')}) t)
            END AS benefits,
            CASE WHEN fresh.ok THEN
              (SELECT t.qf IS NOT NULL FROM (${quotientFamilialSql('$5::uuid')}) t)
            END AS "quotientFamilial",
            (SELECT count(*) FROM logged) AS logged
       FROM fresh`,
    values: [
      ask.personId,
      ask.sessionHash,
      ask.route,
      heldParameter(ask.memberships),
      ask.dossierId,
      ask.categories,
    ],
  });
  const row = r.rows[0];
  if (!row?.fresh || !row.benefits) return { fresh: false };
  return {
    fresh: true,
    benefits: row.benefits,
    quotientFamilial: row.quotientFamilial === true,
  };
}
