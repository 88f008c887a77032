export type DemarcheStatus = 'brouillon' | 'envoyee' | 'en-cours' | 'traitee' | 'annulee';

export interface DemarcheListRow {
  readonly id: string;
  readonly kind: string;
  readonly status: DemarcheStatus;
  readonly createdAt: Date;
  readonly statusChangedAt: Date;
  readonly cancelReason: string | null;
  readonly authorPersonId: string;
  /** From the details: the quarter declared, the date of a separation, a document's title. */
  readonly quarter: string | null;
  readonly date: string | null;
  readonly title: string | null;
}

/**
 * A dossier's démarches, newest first; with `author` not null, only that person's (SQL
 * expressions: the part of « Mes démarches »' statement, src/db/repositories/demarches-page.ts).
 */
export const demarchesListSql = (dossier: string, author: string): string =>
  `SELECT id, kind, status, created_at AS "createdAt", status_changed_at AS "statusChangedAt",
          cancel_reason AS "cancelReason", author_person_id AS "authorPersonId",
          details->>'quarter' AS quarter, details->>'date' AS date, details->>'title' AS title
     FROM demarches
    WHERE dossier_id = ${dossier} AND (${author} IS NULL OR author_person_id = ${author})
    ORDER BY created_at DESC, id
    LIMIT 200`;
