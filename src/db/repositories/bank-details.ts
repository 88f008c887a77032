import type { Queryable } from '../pool.ts';

export interface BankDetailsChange {
  readonly requestId: string;
  readonly dossierId: string;
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly authMethod: string;
  readonly iban: string;
  readonly bic: string;
}

/** Locks the dossier row for the change: two changes of one dossier run one after the other. */
export async function lockDossierBankDetails(
  db: Queryable,
  dossierId: string,
): Promise<{ iban: string | null; bic: string | null } | null> {
  const r = await db.query<{ iban: string | null; bic: string | null }>(
    'SELECT iban, bic FROM dossiers WHERE id = $1 FOR UPDATE',
    [dossierId],
  );
  return r.rows[0] ?? null;
}

/** false when this request was already recorded (double submit, retry): nothing changes. */
export async function insertBankDetailsChange(
  db: Queryable,
  c: BankDetailsChange & { previousIban: string | null; previousBic: string | null },
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO bank_details_changes (request_id, dossier_id, person_id, session_hash, auth_method,
                                       previous_iban, previous_bic, iban, bic)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (request_id) DO NOTHING`,
    [
      c.requestId,
      c.dossierId,
      c.personId,
      c.sessionHash,
      c.authMethod,
      c.previousIban,
      c.previousBic,
      c.iban,
      c.bic,
    ],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function updateDossierBankDetails(
  db: Queryable,
  dossierId: string,
  iban: string,
  bic: string,
): Promise<void> {
  await db.query('UPDATE dossiers SET iban = $2, bic = $3 WHERE id = $1', [dossierId, iban, bic]);
}
