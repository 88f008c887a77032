/** The quarterly resource declaration (RSA, prime d'activité): its periods and its figures. */

export const RESOURCE_KINDS = ['salaires', 'chomage', 'pensions', 'autres'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const RESOURCE_LABELS: Readonly<Record<ResourceKind, string>> = {
  salaires: 'Salaires et revenus d’activité',
  chomage: 'Allocations chômage',
  pensions: 'Pensions et retraites',
  autres: 'Autres ressources',
};

/** 0, 1 or 2: the declaration opens in the months m where (m - 1) % 3 equals it. */
export type DeclarationCycle = 0 | 1 | 2;

export function isDeclarationCycle(n: unknown): n is DeclarationCycle {
  return n === 0 || n === 1 || n === 2;
}

/** Three months, named by the first one's first day (YYYY-MM-01). */
export interface Quarter {
  readonly start: string;
  /** The three months, YYYY-MM-01 each, in order. */
  readonly months: readonly [string, string, string];
}

export type DeclarationPeriod =
  | {
      readonly open: true;
      readonly quarter: Quarter;
      /** The last day the declaration may be sent (YYYY-MM-DD, Paris calendar). */
      readonly closesOn: string;
    }
  | {
      readonly open: false;
      /** The day the next declaration opens (YYYY-MM-DD), and the quarter it covers. */
      readonly opensOn: string;
      readonly quarter: Quarter;
    };

const parisDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day in Paris at this moment: the declaration opens and closes on Paris days. */
export function parisDate(at: Date): { year: number; month: number; day: number } {
  const parts = parisDay.formatToParts(at);
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value);
  return { year: n('year'), month: n('month'), day: n('day') };
}

function iso(year: number, month: number, day = 1): string {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.toISOString().slice(0, 10);
}

/** The quarter declared in the month `month` (1–12) of `year`: the three months before it. */
export function quarterDeclaredIn(year: number, month: number): Quarter {
  const m = (k: number) => iso(year, month - k);
  return { start: m(3), months: [m(3), m(2), m(1)] };
}

/** The quarter starting on `start` (YYYY-MM-01), or null when it is not such a date. */
export function quarterStartingOn(start: string): Quarter | null {
  const m = /^(\d{4})-(\d{2})-01$/.exec(start);
  if (!m) return null;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (month < 1 || month > 12) return null;
  return quarterDeclaredIn(year, month + 3);
}

export function isDeclarationMonth(cycle: DeclarationCycle, month: number): boolean {
  return (month - 1) % 3 === cycle;
}

/**
 * The rule: a quarter's three months are declared during the whole month that follows them,
 * from its 1st to its last day (Paris calendar); outside it, when the next one opens.
 */
export function declarationPeriod(cycle: DeclarationCycle, now: Date): DeclarationPeriod {
  const today = parisDate(now);
  if (isDeclarationMonth(cycle, today.month)) {
    const lastDay = new Date(Date.UTC(today.year, today.month, 0)).getUTCDate();
    return {
      open: true,
      quarter: quarterDeclaredIn(today.year, today.month),
      closesOn: iso(today.year, today.month, lastDay),
    };
  }
  let { year, month } = today;
  do {
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  } while (!isDeclarationMonth(cycle, month));
  return { open: false, opensOn: iso(year, month), quarter: quarterDeclaredIn(year, month) };
}

/** The cycle whose declaration is open on the Paris day of `at` (the demo seeds it). */
export function cycleOpenOn(at: Date): DeclarationCycle {
  const c = (parisDate(at).month - 1) % 3;
  return isDeclarationCycle(c) ? c : 0;
}

const monthYear = new Intl.DateTimeFormat('fr-FR', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const monthOnly = new Intl.DateTimeFormat('fr-FR', { month: 'long', timeZone: 'UTC' });

/** "2026-08-01" → « août 2026 ». */
export function monthLabel(month: string): string {
  return monthYear.format(new Date(`${month}T00:00:00Z`));
}

/** « août, septembre et octobre 2026 », or with each year when the quarter spans two. */
export function quarterLabel(q: Quarter): string {
  const [a, b, c] = q.months;
  const sameYear = a.slice(0, 4) === c.slice(0, 4);
  const name = (m: string) =>
    sameYear ? monthOnly.format(new Date(`${m}T00:00:00Z`)) : monthLabel(m);
  return `${name(a)}, ${name(b)} et ${monthLabel(c)}`;
}

const dayMonthYear = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2027-02-01" → « 1er février 2027 » (French ordinal on the first of the month). */
export function dayLabel(day: string): string {
  return dayMonthYear.format(new Date(`${day}T00:00:00Z`)).replace(/^1 /, '1er ');
}
