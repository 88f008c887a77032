import type { ResourceKind } from '#src/domain/quarterly-declaration.ts';
import type { Queryable } from '../pool.ts';

/** The household's declaration cycle (0–2), or null when it receives neither RSA nor PPA. */
export async function declarationCycleOf(db: Queryable, dossierId: string): Promise<number | null> {
  const r = await db.query<{ cycle: number | null }>(
    'SELECT quarterly_declaration_cycle AS cycle FROM dossiers WHERE id = $1',
    [dossierId],
  );
  return r.rows[0]?.cycle ?? null;
}

export interface PartnerFigure {
  readonly personId: string;
  readonly month: string;
  readonly kind: ResourceKind;
  readonly amountCents: number;
  readonly source: string;
}

export async function partnerFigures(
  db: Queryable,
  dossierId: string,
  months: readonly string[],
): Promise<PartnerFigure[]> {
  const r = await db.query<PartnerFigure>(
    `SELECT person_id AS "personId", to_char(month, 'YYYY-MM-DD') AS month, kind,
            amount_cents AS "amountCents", source
       FROM partner_resources WHERE dossier_id = $1 AND month = ANY($2::date[])`,
    [dossierId, months],
  );
  return r.rows;
}

export interface DeclarationRow {
  readonly id: string;
  readonly demarcheId: string;
  readonly version: number;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
  readonly submittedAt: Date | null;
  readonly submittedBy: string | null;
  readonly reference: string | null;
}

const COLUMNS = `id, demarche_id AS "demarcheId", version, updated_at AS "updatedAt",
  updated_by AS "updatedBy", submitted_at AS "submittedAt", submitted_by AS "submittedBy", reference`;

/** The dossier's declaration of this quarter, draft or submitted; `lock` holds it to the end. */
export async function findDeclaration(
  db: Queryable,
  dossierId: string,
  quarterStart: string,
  lock = false,
): Promise<DeclarationRow | null> {
  const r = await db.query<DeclarationRow>(
    `SELECT ${COLUMNS} FROM quarterly_declarations
      WHERE dossier_id = $1 AND quarter_start = $2${lock ? ' FOR UPDATE' : ''}`,
    [dossierId, quarterStart],
  );
  return r.rows[0] ?? null;
}

/**
 * The quarter's declaration, created as a draft (and its démarche « brouillon ») when there is
 * none, then locked: two requests at once wait on each other here, and the second sees the first.
 */
export async function lockOrCreateDeclaration(
  tx: Queryable,
  d: { dossierId: string; quarterStart: string; authorPersonId: string; now: Date },
): Promise<DeclarationRow> {
  // Deterministic key: one démarche per dossier and quarter, whoever starts it.
  const key = `declaration-trimestrielle:${d.dossierId}:${d.quarterStart}`;
  await tx.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key, status,
                            created_at, status_changed_at)
     VALUES ($1, $2, 'declaration-trimestrielle', $3, $4, 'brouillon', $5, $5)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [d.dossierId, d.authorPersonId, JSON.stringify({ quarter: d.quarterStart }), key, d.now],
  );
  await tx.query(
    `INSERT INTO quarterly_declarations (demarche_id, dossier_id, quarter_start, updated_by, updated_at)
     SELECT id, dossier_id, $2, $3, $4 FROM demarches WHERE idempotency_key = $1
     ON CONFLICT (dossier_id, quarter_start) DO NOTHING`,
    [key, d.quarterStart, d.authorPersonId, d.now],
  );
  const row = await findDeclaration(tx, d.dossierId, d.quarterStart, true);
  if (!row) throw new Error('declaration row missing after insert');
  return row;
}

export interface DeclarationLine {
  readonly personId: string;
  readonly month: string;
  readonly kind: ResourceKind;
  readonly amountCents: number;
  readonly partnerAmountCents: number | null;
}

export async function declarationLines(
  db: Queryable,
  declarationId: string,
): Promise<DeclarationLine[]> {
  const r = await db.query<DeclarationLine>(
    `SELECT person_id AS "personId", to_char(month, 'YYYY-MM-DD') AS month, kind,
            amount_cents AS "amountCents", partner_amount_cents AS "partnerAmountCents"
       FROM quarterly_declaration_lines WHERE declaration_id = $1`,
    [declarationId],
  );
  return r.rows;
}

/** Replaces the figures of a locked draft and moves its version on (the compare-and-set). */
export async function saveDraftLines(
  tx: Queryable,
  d: {
    declarationId: string;
    expectedVersion: number;
    personId: string;
    now: Date;
    lines: readonly DeclarationLine[];
  },
): Promise<boolean> {
  const bumped = await tx.query(
    `UPDATE quarterly_declarations SET version = version + 1, updated_by = $3, updated_at = $4
      WHERE id = $1 AND version = $2 AND submitted_at IS NULL`,
    [d.declarationId, d.expectedVersion, d.personId, d.now],
  );
  if (!bumped.rowCount) return false;
  await tx.query('DELETE FROM quarterly_declaration_lines WHERE declaration_id = $1', [
    d.declarationId,
  ]);
  for (const l of d.lines) {
    await tx.query(
      `INSERT INTO quarterly_declaration_lines
         (declaration_id, person_id, month, kind, amount_cents, partner_amount_cents)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [d.declarationId, l.personId, l.month, l.kind, l.amountCents, l.partnerAmountCents],
    );
  }
  return true;
}

/** Marks the locked declaration submitted and its démarche « envoyée ». */
export async function markSubmitted(
  tx: Queryable,
  d: { declaration: DeclarationRow; personId: string; now: Date; reference: string },
): Promise<void> {
  await tx.query(
    `UPDATE quarterly_declarations SET submitted_at = $2, submitted_by = $3, reference = $4
      WHERE id = $1 AND submitted_at IS NULL`,
    [d.declaration.id, d.now, d.personId, d.reference],
  );
  await tx.query(`UPDATE demarches SET status = 'envoyee', status_changed_at = $2 WHERE id = $1`, [
    d.declaration.demarcheId,
    d.now,
  ]);
}
