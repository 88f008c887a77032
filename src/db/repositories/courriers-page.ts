import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import {
  letterFromJson,
  lettersSql,
  LETTERS_ORDER,
  type LetterJson,
  type LetterRow,
} from './letters.ts';
import { heldParameter, membershipsHeldSql, type HeldMembership } from './page-statement.ts';

/** "Mes courriers" as the matrix decided it, before the statement runs. */
export interface LettersPageAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /**
   * Every membership of the person the decision was made on (the letters rule chooses among all
   * of them): the statement reads and logs only if the person holds exactly these, still.
   */
  readonly memberships: readonly HeldMembership[];
  /** The dossier whose letters are shown, and whether the household's (else one's own). */
  readonly dossierId: string;
  readonly household: boolean;
  /** The access-log row's categories. */
  readonly categories: readonly DataCategory[];
}

export type LettersPageRows =
  | { readonly fresh: true; readonly letters: readonly LetterRow[] }
  /** The person's memberships changed since the session's statement read them. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly letters: LetterJson[] | null;
}

/**
 * "Mes courriers" in one statement (ADR 0014): the memberships the letters rule decided on are
 * re-checked in this statement's snapshot, the letters are read and the access-log row is written
 * — all or nothing: when a membership changed, nothing is read or logged and the caller asks
 * again with fresh memberships.
 */
export async function loadLettersPageRows(
  db: Queryable,
  ask: LettersPageAsk,
): Promise<LettersPageRows> {
  const r = await db.query<Row>({
    // A named (prepared) statement: each connection parses and plans it once, not per request
    // (the quick bench: Postgres CPU per page ≈ 1.4 ms instead of ≈ 2.2 ms, the session's
    // statement included). One text per name, always.
    name: 'courriers-page',
    text: `WITH fresh AS (SELECT (${membershipsHeldSql('$1::uuid', '$4::jsonb')}) AS ok),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $5, $7, $3 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            CASE WHEN (SELECT ok FROM fresh) THEN
              (SELECT coalesce(json_agg(t), '[]')
                 FROM (${lettersSql('$5::uuid', '$1::uuid', '$6::boolean')} ${LETTERS_ORDER}) t)
            END AS letters,
            (SELECT count(*) FROM logged) AS logged`,
    values: [
      ask.personId,
      ask.sessionHash,
      ask.route,
      heldParameter(ask.memberships),
      ask.dossierId,
      ask.household,
      ask.categories,
    ],
  });
  const row = r.rows[0];
  if (!row?.fresh || !row.letters) return { fresh: false };
  return { fresh: true, letters: row.letters.map(letterFromJson) };
}
