import type { Queryable } from '../pool.ts';

export type HousingStatus = 'locataire' | 'proprietaire' | 'heberge' | 'autre';

export interface DeclaredAddress {
  readonly line1: string;
  readonly line2: string | null;
  readonly postcode: string;
  readonly commune: string;
}

/** The démarche « changement d’adresse », en cours, once per form key; false when it existed. */
export async function insertAddressChange(
  db: Queryable,
  d: {
    dossierId: string;
    authorPersonId: string;
    address: DeclaredAddress;
    moveDate: string;
    housing: HousingStatus;
    idempotencyKey: string;
  },
): Promise<boolean> {
  const details = { date: d.moveDate, address: d.address, housing: d.housing };
  const r = await db.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, status, details, idempotency_key)
     VALUES ($1, $2, 'changement-adresse', 'en-cours', $3, $4)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.dossierId, d.authorPersonId, JSON.stringify(details), d.idempotencyKey],
  );
  return (r.rowCount ?? 0) > 0;
}
