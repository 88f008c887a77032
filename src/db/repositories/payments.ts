import type { MemberRole } from '#src/domain/access.ts';
import type { Deduction, Payment } from '#src/domain/payments.ts';
import type { Queryable } from '../pool.ts';
import { heldParameter, membershipsHeldSql } from './page-statement.ts';
import type { DataCategory } from './access-log.ts';

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

/** Every payment of a dossier paid in [from, before), newest first (SQL expressions). */
export const paymentsBetweenSql = (dossier: string, from: string, before: string): string =>
  `SELECT ${PAYMENT_COLUMNS} FROM payments
    WHERE dossier_id = ${dossier} AND paid_on >= ${from} AND paid_on < ${before}
    ORDER BY paid_on DESC, id DESC`;

/**
 * The latest payment day's payments of a dossier (several benefits are paid the same day), over
 * an SQL expression: also a page statement's part.
 */
export const latestPaymentsSql = (dossier: string): string =>
  `SELECT ${PAYMENT_COLUMNS} FROM payments
    WHERE dossier_id = ${dossier}
      AND paid_on = (SELECT max(paid_on) FROM payments WHERE dossier_id = ${dossier})
    ORDER BY amount_cents DESC, id`;

export async function latestPayments(db: Queryable, dossierId: string): Promise<Payment[]> {
  const r = await db.query<Payment>(latestPaymentsSql('$1'), [dossierId]);
  return r.rows;
}

/** The deductions of one payment (an SQL expression), in the order they were made. */
const deductionsSql = (payment: string): string =>
  `SELECT label, amount_cents AS "amountCents" FROM payment_deductions
    WHERE payment_id = ${payment} ORDER BY id`;

/** One membership of the principal, as the matrix decided on it. */
export interface MembershipAsked {
  readonly dossierId: string;
  readonly role: MemberRole;
  readonly delegation: boolean;
}

/** The principal, the memberships decided on and the access-log row's route: every page's ask. */
interface PageAsk {
  readonly personId: string;
  readonly sessionHash: Buffer;
  readonly route: string;
  /** Every membership of the person the decision was made on (all of them: the rule's order). */
  readonly memberships: readonly MembershipAsked[];
  /** The dossier the matrix chose. */
  readonly dossierId: string;
}

/**
 * The re-check of a page statement (ADR 0014), as CTEs over $1 (the person) and $3 (the
 * memberships asked, JSON): `fresh` holds when the person's memberships in this statement's
 * snapshot are exactly those the decision was made on — the fresh decision is the same.
 */
/** The memberships re-checked in the statement's snapshot: exactly those decided on (ADR 0014). */
const RECHECK = `fresh AS (SELECT ${membershipsHeldSql('$1', '$3::jsonb')} AS ok)`;

const asked = (ask: PageAsk): string => heldParameter(ask.memberships);

/** A membership changed since the decision: nothing was read or logged, ask again. */
export type Stale = { readonly fresh: false };

/**
 * Mes paiements in one statement (ADR 0014): the memberships re-checked in the statement's
 * snapshot, the dossier's payments paid in [from, before) read, newest first, and the page's
 * access-log row written — all or nothing.
 */
export async function paymentsPageRows(
  db: Queryable,
  ask: PageAsk & {
    readonly range: { readonly from: string; readonly before: string };
    readonly categories: readonly DataCategory[];
  },
): Promise<{ readonly fresh: true; readonly payments: Payment[] } | Stale> {
  // Named statements (this one and the detail's): parsed once per connection, not per page.
  const r = await db.query<{ fresh: boolean; payments: Payment[] | null }>({
    name: 'paiements-page',
    text: `WITH ${RECHECK},
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $4, $5, $6 WHERE (SELECT ok FROM fresh)
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            CASE WHEN (SELECT ok FROM fresh) THEN
              (SELECT coalesce(json_agg(t), '[]')
                 FROM (${paymentsBetweenSql('$4::uuid', '$7::date', '$8::date')}) t) END AS payments,
            (SELECT count(*) FROM logged) AS logged`,
    values: [
      ask.personId,
      ask.sessionHash,
      asked(ask),
      ask.dossierId,
      ask.categories,
      ask.route,
      ask.range.from,
      ask.range.before,
    ],
  });
  const row = r.rows[0];
  if (!row?.fresh || !row.payments) return { fresh: false };
  return { fresh: true, payments: row.payments };
}

export interface PaymentFound {
  readonly payment: Payment;
  readonly deductions: Deduction[];
  /** The account this payment went to, which a later change of bank details does not alter. */
  readonly iban: string | null;
}

/**
 * A payment's detail in one statement (ADR 0014): the memberships re-checked, the payment looked
 * up within the chosen dossier only (another dossier's id finds nothing) with its deductions, and
 * the access-log row written only when it was found — with `categories.withIban` when the payment
 * names the account it went to.
 */
export async function paymentDetailRows(
  db: Queryable,
  ask: PageAsk & {
    readonly paymentId: string;
    readonly categories: {
      readonly withIban: readonly DataCategory[];
      readonly withoutIban: readonly DataCategory[];
    };
  },
): Promise<{ readonly fresh: true; readonly found: PaymentFound | null } | Stale> {
  const r = await db.query<{
    fresh: boolean;
    payment: (Payment & { iban: string | null }) | null;
    deductions: Deduction[] | null;
  }>({
    name: 'paiement-detail-page',
    text: `WITH ${RECHECK},
     found AS (
       SELECT ${PAYMENT_COLUMNS}, iban FROM payments
        WHERE dossier_id = $4::uuid AND id = $7::bigint AND (SELECT ok FROM fresh)
     ),
     logged AS (
       INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
       SELECT $2, $1, $4, CASE WHEN found.iban IS NULL THEN $5::text[] ELSE $6::text[] END, $8
         FROM found
       RETURNING 1
     )
     SELECT (SELECT ok FROM fresh) AS fresh,
            (SELECT row_to_json(found) FROM found) AS payment,
            (SELECT (SELECT coalesce(json_agg(t), '[]')
                       FROM (${deductionsSql('found.id::bigint')}) t)
               FROM found) AS deductions,
            (SELECT count(*) FROM logged) AS logged`,
    values: [
      ask.personId,
      ask.sessionHash,
      asked(ask),
      ask.dossierId,
      ask.categories.withoutIban,
      ask.categories.withIban,
      ask.paymentId,
      ask.route,
    ],
  });
  const row = r.rows[0];
  if (!row?.fresh) return { fresh: false };
  if (!row.payment) return { fresh: true, found: null };
  const { iban, ...payment } = row.payment;
  return { fresh: true, found: { payment, deductions: row.deductions ?? [], iban } };
}
