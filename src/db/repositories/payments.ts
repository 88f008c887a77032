import type { Queryable } from '../pool.ts';

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
