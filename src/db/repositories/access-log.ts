import type { Queryable } from '../pool.ts';

export type DataCategory =
  | 'identite'
  | 'coordonnees'
  | 'adresse'
  | 'situation-familiale'
  | 'membres'
  | 'paiements'
  | 'coordonnees-bancaires'
  | 'demarches'
  /** The viewer's own démarches only. */
  | 'demarches-personnelles'
  | 'courriers'
  /** Letters addressed to the viewer only (open to every member: docs/design.md §3). */
  | 'courriers-personnels'
  | 'attestations'
  | 'documents'
  | 'declarations';

export interface AccessEntry {
  readonly sessionHash: Buffer;
  readonly personId: string;
  readonly dossierId: string | null;
  readonly categories: readonly DataCategory[];
  readonly route: string;
}

export async function recordAccess(db: Queryable, e: AccessEntry): Promise<void> {
  await db.query(
    `INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
     VALUES ($1, $2, $3, $4, $5)`,
    [e.sessionHash, e.personId, e.dossierId, e.categories, e.route],
  );
}
