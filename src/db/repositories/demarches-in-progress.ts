import type { Queryable } from '../pool.ts';

export interface DemarcheInProgress {
  readonly id: string;
  readonly kind: 'separation' | 'changement-adresse' | 'declaration-trimestrielle' | 'document';
  readonly status: 'brouillon' | 'envoyee' | 'en-cours';
  readonly createdAt: Date;
}

/**
 * The dossier's démarches not yet treated or cancelled, newest first: all of them (`household`)
 * or the person's own; a draft only ever to its author.
 */
export async function demarchesInProgress(
  db: Queryable,
  dossierId: string,
  personId: string,
  scope: { household: boolean; limit: number },
): Promise<DemarcheInProgress[]> {
  const r = await db.query<DemarcheInProgress>(demarchesInProgressSql('$1', '$2', '$3', '$4'), [
    dossierId,
    personId,
    scope.household,
    scope.limit,
  ]);
  return r.rows;
}

/** The same query over SQL expressions: also a page statement's part (ADR 0014). */
export const demarchesInProgressSql = (
  dossier: string,
  person: string,
  household: string,
  limit: string,
): string =>
  `SELECT id, kind, status, created_at AS "createdAt" FROM demarches
    WHERE dossier_id = ${dossier} AND status NOT IN ('traitee', 'annulee')
      AND (author_person_id = ${person} OR (${household} AND status <> 'brouillon'))
    ORDER BY created_at DESC LIMIT ${limit}`;
