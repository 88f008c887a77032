import type { DataCategory } from '#src/db/repositories/access-log.ts';
import {
  paymentDetailRows,
  paymentsPageRows,
  type MembershipAsked,
} from '#src/db/repositories/payments.ts';
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
import {
  chooseDossier,
  dossiersOf,
  type DossierAccess,
  type DossierRefusal,
} from './dossier-access.ts';

/** A payment with its period in words, as the table and the detail page show it. */
export type PaymentLine = Payment & { readonly periodLabel: string };

// Spelled out rather than spread: one object shape for every line, cheaper to build.
const line = (p: Payment): PaymentLine => ({
  id: p.id,
  paidOn: p.paidOn,
  benefit: p.benefit,
  periodStart: p.periodStart,
  periodEnd: p.periodEnd,
  grossCents: p.grossCents,
  netCents: p.netCents,
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

/** A membership changed between the session's statement and the page's: ask again, then stop. */
const ATTEMPTS = 3;

const PAGE_CATEGORIES: readonly DataCategory[] = ['paiements'];
const DETAIL_CATEGORIES = {
  withIban: ['paiements', 'coordonnees-bancaires'],
  withoutIban: ['paiements'],
} as const satisfies Record<string, readonly DataCategory[]>;

const membershipsAsked = (memberships: readonly DossierAccess[]): MembershipAsked[] =>
  memberships.map(({ dossier, membership }) => ({
    dossierId: dossier.id,
    role: membership.role,
    delegation: membership.delegation,
  }));

/**
 * Runs a page's one statement (ADR 0014) on the dossier the matrix chooses for `payments` among
 * the memberships read with the session; when the statement finds they changed in between
 * (nothing read, nothing logged), decides again on fresh ones, a bounded number of times.
 */
async function withPaymentsDossier<T>(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  read: (
    access: DossierAccess,
    memberships: MembershipAsked[],
    now: Date,
  ) => Promise<{ readonly fresh: true; readonly value: T } | { readonly fresh: false }>,
): Promise<T | DossierRefusal> {
  let memberships = signedIn;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const now = s.now();
    const access = chooseDossier(memberships, 'payments');
    if (!access.ok) return access;
    const done = await read(access, membershipsAsked(memberships), now);
    if (done.fresh) return done.value;
    memberships = await dossiersOf(s.pool, principal, now);
  }
  throw new Error('the memberships kept changing while the payments were read');
}

/**
 * Mes paiements: the 24 months of the dossier the rule picks for `payments`, and the access-log
 * row, in one statement. `year` narrows to that calendar year's months.
 */
export async function loadPayments(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  request: { route: string; year: number | null },
): Promise<{ ok: true; view: PaymentsView } | DossierRefusal> {
  return withPaymentsDossier<{ ok: true; view: PaymentsView }>(
    s,
    principal,
    signedIn,
    async (access, memberships, now) => {
      const window = monthsEndingWith(now, PAYMENT_MONTHS);
      const first = window[0] ?? '';
      const last = window[window.length - 1] ?? '';
      const rows = await paymentsPageRows(s.pool, {
        personId: principal.personId,
        sessionHash: principal.sessionHash,
        route: request.route,
        memberships,
        dossierId: access.dossier.id,
        range: monthRange(first, last),
        categories: PAGE_CATEGORIES,
      });
      if (!rows.fresh) return rows;
      return {
        fresh: true,
        value: { ok: true, view: paymentsView(access, window, rows.payments, request.year) },
      } as const;
    },
  );
}

function paymentsView(
  access: DossierAccess,
  window: readonly string[],
  payments: readonly Payment[],
  asked: number | null,
): PaymentsView {
  const years = yearsOf(window);
  const year = asked !== null && years.includes(asked) ? asked : null;
  const months = year === null ? window : window.filter((m) => m.startsWith(`${String(year)}-`));
  const wanted = new Set(months);
  const shown = payments.filter((p) => wanted.has(monthOf(p.paidOn))).map(line);
  const order = benefitOrder(shown);
  const groups = groupByMonth(shown, months, order);
  return {
    dossierNumber: access.dossier.number,
    years,
    year,
    yearOutOfRange: asked !== null && year === null,
    months: groups.map((g) => ({ ...g, label: monthName(g.month) })).reverse(),
    chart: buildPaymentChart(groups, order),
    count: shown.length,
  };
}

export interface PaymentDetailView {
  readonly dossierNumber: string;
  readonly payment: PaymentLine;
  readonly deductions: readonly Deduction[];
  readonly maskedIban: string | null;
}

type PaymentDetail = { ok: true; view: PaymentDetailView } | { ok: false; reason: 'not-found' };

/**
 * One payment, looked up within the principal's dossier, in one statement with its access-log
 * row: an id of another dossier, or none, is `not-found` (the 404 page) and writes no access-log
 * row, since nothing was shown.
 */
export async function loadPayment(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  request: { route: string; id: string },
): Promise<PaymentDetail | DossierRefusal> {
  return withPaymentsDossier<PaymentDetail>(s, principal, signedIn, async (access, memberships) => {
    const rows = await paymentDetailRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route: request.route,
      memberships,
      dossierId: access.dossier.id,
      paymentId: request.id,
      categories: DETAIL_CATEGORIES,
    });
    if (!rows.fresh) return rows;
    const { found } = rows;
    if (!found) return { fresh: true, value: { ok: false, reason: 'not-found' } } as const;
    // The account this payment went to, which a later change of bank details does not alter.
    const { iban } = found;
    return {
      fresh: true,
      value: {
        ok: true,
        view: {
          dossierNumber: access.dossier.number,
          payment: line(found.payment),
          deductions: found.deductions,
          maskedIban: iban ? maskIban(iban) : null,
        },
      },
    } as const;
  });
}
