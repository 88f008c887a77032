import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { demarchesListSql, type DemarcheListRow } from './demarches-list.ts';
import {
  heldParameter,
  jsonRowsSql,
  membershipsHeldSql,
  type HeldMembership,
} from './page-statement.ts';

/** What « Mes démarches » shows, decided by the matrix before the statement runs. */
export interface DemarchesAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership the choice of the dossier was made on: re-checked in the snapshot. */
  readonly held: readonly HeldMembership[];
  readonly dossierId: string;
  /** The démarches of one author (the principal) only, or null: the household's. */
  readonly onlyAuthor: string | null;
  /** The access-log row's categories. */
  readonly categories: readonly DataCategory[];
}

export type DemarchesRows =
  | { readonly fresh: true; readonly demarches: readonly DemarcheListRow[] }
  /** A membership changed since the session's statement read them: nothing read, nothing logged. */
  | { readonly fresh: false };

interface Row {
  readonly fresh: boolean;
  readonly demarches:
    | (Omit<DemarcheListRow, 'createdAt' | 'statusChangedAt'> & {
        createdAt: string;
        statusChangedAt: string;
      })[]
    | null;
}

/**
 * « Mes démarches » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the démarches read and the access-log row written — all or nothing.
 */
export async function loadDemarchesRows(db: Queryable, ask: DemarchesAsk): Promise<DemarchesRows> {
  const r = await db.query<Row>(
    `WITH fresh AS (SELECT ${membershipsHeldSql('$1', '$4::jsonb')} AS ok),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $5, $7::text[], $3 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            CASE WHEN (SELECT ok FROM fresh)
                 THEN ${jsonRowsSql(demarchesListSql('$5::uuid', '$6::uuid'))} END AS demarches,
            (SELECT count(*) FROM logged) AS logged`,
    [
      ask.personId,
      ask.sessionHash,
      ask.route,
      heldParameter(ask.held),
      ask.dossierId,
      ask.onlyAuthor,
      ask.categories,
    ],
  );
  const row = r.rows[0];
  if (!row?.fresh || !row.demarches) return { fresh: false };
  return {
    fresh: true,
    demarches: row.demarches.map((d) => ({
      ...d,
      createdAt: new Date(d.createdAt),
      statusChangedAt: new Date(d.statusChangedAt),
    })),
  };
}
