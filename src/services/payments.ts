import { withTransaction } from '#src/db/pool.ts';
import { findPaymentInDossier, paymentsBetween } from '#src/db/repositories/payments.ts';
import { maskIban } from '#src/domain/masking.ts';
import { buildPaymentChart, monthName, type PaymentChart } from '#src/domain/payment-chart.ts';
import {
  benefitOrder,
  groupByMonth,
  monthOf,
  monthRange,
  monthsEndingWith,
  PAYMENT_MONTHS,
  yearsOf,
  type Deduction,
  type MonthOfPayments,
  type Payment,
  periodLabel,
} from '#src/domain/payments.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import { dossierFor, logDossierAccess, type DossierRefusal } from './dossier-access.ts';

/** A payment with its period in words, as the table and the detail page show it. */
export type PaymentLine = Payment & { readonly periodLabel: string };

const line = (p: Payment): PaymentLine => ({
  ...p,
  periodLabel: periodLabel(p.periodStart, p.periodEnd),
});

export interface PaymentsView {
  readonly dossierNumber: string;
  /** The year filter's choices, newest first, and the year applied (null: the 24 months). */
  readonly years: readonly number[];
  readonly year: number | null;
  /** A year asked for that the 24 months do not reach: the page says so beside the filter. */
  readonly yearOutOfRange: boolean;
  /** Newest month first, for the table; months without a payment included. */
  readonly months: readonly (MonthOfPayments<PaymentLine> & { readonly label: string })[];
  readonly chart: PaymentChart;
  readonly count: number;
}

/**
 * Mes paiements: the 24 months of the dossier the rule picks for `payments`, in one query, and
 * the access-log row in the same transaction. `year` narrows to that calendar year's months.
 */
export async function loadPayments(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  request: { route: string; year: number | null },
): Promise<{ ok: true; view: PaymentsView } | DossierRefusal> {
  return withTransaction(s.pool, async (tx) => {
    const access = await dossierFor(s, principal, 'payments', {
      tx,
      shown: { route: request.route, categories: ['paiements'] },
    });
    if (!access.ok) return access;
    const window = monthsEndingWith(s.now(), PAYMENT_MONTHS);
    const first = window[0] ?? '';
    const last = window[window.length - 1] ?? '';
    const payments = await paymentsBetween(tx, access.dossier.id, monthRange(first, last));
    const years = yearsOf(window);
    const year = request.year !== null && years.includes(request.year) ? request.year : null;
    const months = year === null ? window : window.filter((m) => m.startsWith(`${String(year)}-`));
    const shown = payments.filter((p) => months.includes(monthOf(p.paidOn))).map(line);
    const groups = groupByMonth(shown, months);
    return {
      ok: true,
      view: {
        dossierNumber: access.dossier.number,
        years,
        year,
        yearOutOfRange: request.year !== null && year === null,
        months: groups.map((g) => ({ ...g, label: monthName(g.month) })).reverse(),
        chart: buildPaymentChart(groups, benefitOrder(shown)),
        count: shown.length,
      },
    };
  });
}

export interface PaymentDetailView {
  readonly dossierNumber: string;
  readonly payment: PaymentLine;
  readonly deductions: readonly Deduction[];
  readonly maskedIban: string | null;
}

/**
 * One payment, looked up within the principal's dossier: an id of another dossier, or none,
 * is `not-found` (the 404 page) and writes no access-log row, since nothing was shown.
 */
export async function loadPayment(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  request: { route: string; id: string },
): Promise<
  { ok: true; view: PaymentDetailView } | DossierRefusal | { ok: false; reason: 'not-found' }
> {
  return withTransaction(s.pool, async (tx) => {
    const access = await dossierFor(s, principal, 'payments', { tx });
    if (!access.ok) return access;
    const found = await findPaymentInDossier(tx, access.dossier.id, request.id);
    if (!found) return { ok: false, reason: 'not-found' } as const;
    // The account this payment went to, which a later change of bank details does not alter.
    const { iban } = found;
    await logDossierAccess(tx, principal, access.dossier.id, {
      route: request.route,
      categories: iban ? ['paiements', 'coordonnees-bancaires'] : ['paiements'],
    });
    return {
      ok: true,
      view: {
        dossierNumber: access.dossier.number,
        payment: line(found.payment),
        deductions: found.deductions,
        maskedIban: iban ? maskIban(iban) : null,
      },
    };
  });
}
