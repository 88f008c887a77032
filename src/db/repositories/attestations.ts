import type { Queryable } from '../pool.ts';

export type AttestationKind = 'paiement' | 'quotient-familial';

export interface NewAttestation {
  readonly reference: string;
  readonly dossierId: string;
  readonly personId: string;
  readonly kind: AttestationKind;
  readonly benefit: string | null;
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly holderInitials: string;
  readonly issuedOn: string;
  readonly issuedAt: Date;
}

export interface IssuedAttestation {
  readonly reference: string;
  readonly issuedAt: Date;
}

/**
 * Records the attestation, or finds the one this person already asked for today with the same
 * kind, benefit and period (one row under a double click or two tabs: the unique key decides).
 */
export async function insertAttestation(
  db: Queryable,
  a: NewAttestation,
): Promise<IssuedAttestation> {
  const inserted = await db.query<IssuedAttestation>(
    `INSERT INTO attestations (reference, dossier_id, person_id, kind, benefit, period_start,
                               period_end, holder_initials, issued_on, issued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (dossier_id, person_id, kind, benefit, period_start, period_end, issued_on)
     DO NOTHING
     RETURNING reference, issued_at AS "issuedAt"`,
    [
      a.reference,
      a.dossierId,
      a.personId,
      a.kind,
      a.benefit,
      a.periodStart,
      a.periodEnd,
      a.holderInitials,
      a.issuedOn,
      a.issuedAt,
    ],
  );
  const row = inserted.rows[0];
  if (row) return row;
  const existing = await db.query<IssuedAttestation>(
    `SELECT reference, issued_at AS "issuedAt" FROM attestations
      WHERE dossier_id = $1 AND person_id = $2 AND kind = $3
        AND benefit IS NOT DISTINCT FROM $4 AND period_start IS NOT DISTINCT FROM $5::date
        AND period_end IS NOT DISTINCT FROM $6::date AND issued_on = $7`,
    [a.dossierId, a.personId, a.kind, a.benefit, a.periodStart, a.periodEnd, a.issuedOn],
  );
  const found = existing.rows[0];
  if (!found) throw new Error('attestation neither inserted nor found');
  return found;
}

/** What the public verification may say of an attestation: its kind, date and holder's initials. */
export interface AttestationCheck {
  readonly kind: AttestationKind;
  readonly issuedAt: Date;
  readonly holderInitials: string;
}

export async function findAttestationByReference(
  db: Queryable,
  reference: string,
): Promise<AttestationCheck | null> {
  const r = await db.query<AttestationCheck>(
    `SELECT kind, issued_at AS "issuedAt", holder_initials AS "holderInitials"
       FROM attestations WHERE reference = $1`,
    [reference],
  );
  return r.rows[0] ?? null;
}

/** The benefits ever paid on the dossier, for the attestation form's choice. */
/** The benefits ever paid to a dossier, over an SQL expression: also a page statement's part. */
export const benefitsPaidSql = (dossier: string): string =>
  `SELECT DISTINCT benefit FROM payments WHERE dossier_id = ${dossier} ORDER BY benefit`;

export interface AttestedPayment {
  readonly paidOn: string;
  readonly period: string;
  readonly amountCents: number;
}

/** The payments of one benefit paid between two dates (inclusive), oldest first. */
export async function paymentsOfBenefit(
  db: Queryable,
  dossierId: string,
  benefit: string,
  from: string,
  to: string,
): Promise<AttestedPayment[]> {
  const r = await db.query<AttestedPayment>(
    `SELECT paid_on AS "paidOn", period, amount_cents AS "amountCents" FROM payments
      WHERE dossier_id = $1 AND benefit = $2 AND paid_on BETWEEN $3 AND $4
      ORDER BY paid_on, id`,
    [dossierId, benefit, from, to],
  );
  return r.rows;
}

/** The dossier's quotient familial, over an SQL expression: also a page statement's part. */
export const quotientFamilialSql = (dossier: string): string =>
  `SELECT quotient_familial AS qf FROM dossiers WHERE id = ${dossier}`;

export async function quotientFamilialOf(db: Queryable, dossierId: string): Promise<number | null> {
  const r = await db.query<{ qf: number | null }>(quotientFamilialSql('$1'), [dossierId]);
  return r.rows[0]?.qf ?? null;
}
