import type { Queryable } from '../pool.ts';

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

/** A dossier's démarches, newest first; with `authorPersonId`, only that person's. */
export async function listDemarches(
  db: Queryable,
  dossierId: string,
  authorPersonId: string | null,
): Promise<DemarcheListRow[]> {
  const r = await db.query<DemarcheListRow>(
    `SELECT id, kind, status, created_at AS "createdAt", status_changed_at AS "statusChangedAt",
            cancel_reason AS "cancelReason", author_person_id AS "authorPersonId",
            details->>'quarter' AS quarter, details->>'date' AS date, details->>'title' AS title
       FROM demarches
      WHERE dossier_id = $1 AND ($2::uuid IS NULL OR author_person_id = $2)
      ORDER BY created_at DESC, id
      LIMIT 200`,
    [dossierId, authorPersonId],
  );
  return r.rows;
}
