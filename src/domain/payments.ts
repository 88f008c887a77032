/** Mes paiements: the months shown, payments grouped by month and by benefit (pure functions). */

/** One payment as the pages show it; amounts in integer cents. */
export interface Payment {
  readonly id: string;
  /** YYYY-MM-DD, the day the Caf paid it. */
  readonly paidOn: string;
  readonly benefit: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly grossCents: number;
  /** What reached the account: gross minus the deductions. */
  readonly netCents: number;
}

export interface Deduction {
  readonly label: string;
  readonly amountCents: number;
}

/** How many months Mes paiements covers, the current one included. */
export const PAYMENT_MONTHS = 24;

/** 'YYYY-MM' of a date, in UTC like every date column read as a string. */
export function monthOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}

/** The `count` months ending with today's, oldest first ('YYYY-MM'). */
export function monthsEndingWith(today: Date, count: number): string[] {
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - (count - 1 - i), 1));
    return `${String(d.getUTCFullYear())}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

/** The first day of `month` and the first day of the month after `last` (a half-open range). */
export function monthRange(first: string, last: string): { from: string; before: string } {
  const [y, m] = last.split('-').map(Number);
  const after = new Date(Date.UTC(y ?? 0, m ?? 1, 1));
  return { from: `${first}-01`, before: after.toISOString().slice(0, 10) };
}

/** The calendar years the months touch, newest first (the year filter's choices). */
export function yearsOf(months: readonly string[]): number[] {
  return [...new Set(months.map((m) => Number(m.slice(0, 4))))].sort((a, b) => b - a);
}

export interface BenefitTotal {
  readonly benefit: string;
  readonly cents: number;
}

export interface MonthOfPayments<P extends Payment = Payment> {
  /** 'YYYY-MM' of the payment day. */
  readonly month: string;
  /** That month's payments, by benefit then by day. */
  readonly payments: readonly P[];
  /** One total per benefit paid that month, in `benefitOrder`. */
  readonly byBenefit: readonly BenefitTotal[];
  readonly totalCents: number;
}

const frenchOrder = new Intl.Collator('fr').compare;

/**
 * The benefits in a stable order for colours and legends: the one paid most in total first
 * (the household's main benefit), ties by name.
 */
export function benefitOrder(payments: readonly Payment[]): string[] {
  const totals = new Map<string, number>();
  for (const p of payments) totals.set(p.benefit, (totals.get(p.benefit) ?? 0) + p.netCents);
  return [...totals]
    .sort(([a, x], [b, y]) => y - x || frenchOrder(a, b))
    .map(([benefit]) => benefit);
}

/** ISO dates (YYYY-MM-DD) compare as strings. */
const byDay = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every month of `months` (in their order), with its payments; a month without any is kept.
 * `order` is `benefitOrder(payments)`, passed when the caller has it already.
 */
export function groupByMonth<P extends Payment>(
  payments: readonly P[],
  months: readonly string[],
  order: readonly string[] = benefitOrder(payments),
): MonthOfPayments<P>[] {
  const rank = new Map(order.map((benefit, k) => [benefit, k]));
  const rankOf = (b: string): number => rank.get(b) ?? -1;
  // One pass: each month's payments in their given order (the sort below is stable).
  const byMonth = new Map<string, P[]>(months.map((m) => [m, []]));
  for (const p of payments) byMonth.get(monthOf(p.paidOn))?.push(p);
  return months.map((month) => {
    const here = (byMonth.get(month) ?? []).sort(
      (a, b) => rankOf(a.benefit) - rankOf(b.benefit) || byDay(a.paidOn, b.paidOn),
    );
    const cents = new Map<string, number>();
    let totalCents = 0;
    for (const p of here) {
      cents.set(p.benefit, (cents.get(p.benefit) ?? 0) + p.netCents);
      totalCents += p.netCents;
    }
    const byBenefit = order.flatMap((benefit) => {
      const c = cents.get(benefit);
      return c === undefined ? [] : [{ benefit, cents: c }];
    });
    return { month, payments: here, byBenefit, totalCents };
  });
}

/** Gross minus the deductions: what the detail page says reached the account. */
export function netOf(grossCents: number, deductions: readonly Deduction[]): number {
  return deductions.reduce((net, d) => net - d.amountCents, grossCents);
}

const dayFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const wholeMonthFormat = new Intl.DateTimeFormat('fr-FR', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const utc = (isoDate: string): Date => new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);

/** A bounded memo of a pure function of strings (labels of dates: nothing personal). */
export function memoized(f: (key: string) => string, size = 4096): (key: string) => string {
  const cache = new Map<string, string>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      if (cache.size >= size) cache.clear();
      value = f(key);
      cache.set(key, value);
    }
    return value;
  };
}

const periodLabelOf = memoized((period) => {
  const start = period.slice(0, 10);
  const end = period.slice(11);
  const s = utc(start);
  const e = utc(end);
  const next = new Date(e.getTime() + 86_400_000);
  const wholeMonth =
    s.getUTCDate() === 1 && next.getUTCDate() === 1 && monthOf(start) === monthOf(end);
  if (wholeMonth) return wholeMonthFormat.format(s);
  const day = (d: Date): string => dayFormat.format(d).replace(/^1 /, '1er ');
  return `du ${day(s)} au ${day(e)}`;
});

/** The period a payment covers in words: « octobre 2026 » for a whole month, else « du … au … ». */
export function periodLabel(start: string, end: string): string {
  return periodLabelOf(`${start.slice(0, 10)}/${end.slice(0, 10)}`);
}
