import type { Queryable } from '../pool.ts';
import type { DataCategory } from './access-log.ts';
import { demarchesListSql, type DemarcheListRow } from './demarches-list.ts';
import { oneDossierPageSql, oneDossierPageValues, type OneDossierAsk } from './page-statement.ts';

/** What « Mes démarches » shows, decided by the matrix before the statement runs. */
export interface DemarchesAsk extends OneDossierAsk {
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

const DEMARCHES_PAGE_SQL = oneDossierPageSql({
  demarches: demarchesListSql('$5::uuid', '$6::uuid'),
});

/**
 * « Mes démarches » in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the démarches read and the access-log row written — all or nothing.
 */
export async function loadDemarchesRows(db: Queryable, ask: DemarchesAsk): Promise<DemarchesRows> {
  const r = await db.query<Row>({
    name: 'demarches-page',
    text: DEMARCHES_PAGE_SQL,
    values: oneDossierPageValues(ask, ask.onlyAuthor),
  });
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
