import type { Queryable } from '../pool.ts';
import type { Deduction, Payment } from '#src/domain/payments.ts';

export interface PaymentRow {
  readonly paidOn: string;
  readonly benefit: string;
  readonly period: string;
  readonly amountCents: number;
}

export async function lastPayments(
  db: Queryable,
  dossierId: string,
  limit: number,
): Promise<PaymentRow[]> {
  const r = await db.query<PaymentRow>(
    `SELECT paid_on AS "paidOn", benefit, period, amount_cents AS "amountCents"
       FROM payments WHERE dossier_id = $1 ORDER BY paid_on DESC, id DESC LIMIT $2`,
    [dossierId, limit],
  );
  return r.rows;
}

const PAYMENT_COLUMNS = `id::text AS id, paid_on AS "paidOn", benefit, period_start AS "periodStart",
       period_end AS "periodEnd", gross_cents AS "grossCents", amount_cents AS "netCents"`;

/** Every payment of the dossier paid in [from, before): one query for the whole page. */
export async function paymentsBetween(
  db: Queryable,
  dossierId: string,
  range: { from: string; before: string },
): Promise<Payment[]> {
  const r = await db.query<Payment>(
    `SELECT ${PAYMENT_COLUMNS} FROM payments
      WHERE dossier_id = $1 AND paid_on >= $2 AND paid_on < $3
      ORDER BY paid_on DESC, id DESC`,
    [dossierId, range.from, range.before],
  );
  return r.rows;
}

/** The payments of the dossier's latest payment day (several benefits are paid the same day). */
/** The latest payment day's payments of a dossier (an SQL expression): also a page statement's part. */
export const latestPaymentsSql = (dossier: string): string =>
  `SELECT ${PAYMENT_COLUMNS} FROM payments
    WHERE dossier_id = ${dossier}
      AND paid_on = (SELECT max(paid_on) FROM payments WHERE dossier_id = ${dossier})
    ORDER BY amount_cents DESC, id`;

export async function latestPayments(db: Queryable, dossierId: string): Promise<Payment[]> {
  const r = await db.query<Payment>(latestPaymentsSql('$1'), [dossierId]);
  return r.rows;
}

/** One payment, looked up within the dossier only: another dossier's id finds nothing. */
export async function findPaymentInDossier(
  db: Queryable,
  dossierId: string,
  paymentId: string,
): Promise<{ payment: Payment; deductions: Deduction[]; iban: string | null } | null> {
  const r = await db.query<Payment & { iban: string | null }>(
    `SELECT ${PAYMENT_COLUMNS}, iban FROM payments WHERE dossier_id = $1 AND id = $2`,
    [dossierId, paymentId],
  );
  const row = r.rows[0];
  if (!row) return null;
  const { iban, ...payment } = row;
  const d = await db.query<Deduction>(
    `SELECT label, amount_cents AS "amountCents" FROM payment_deductions
      WHERE payment_id = $1 ORDER BY id`,
    [paymentId],
  );
  return { payment, deductions: d.rows, iban };
}
