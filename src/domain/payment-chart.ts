/**
 * The chart above Mes paiements: one stacked bar a month, one segment a benefit, as geometry
 * that views/pages/paiements/graphique.njk draws as an SVG on the server (no script; the
 * table below the chart is its accessible alternative). Pure: same months in, same drawing out.
 */
import { memoized, type BenefitTotal, type MonthOfPayments } from './payments.ts';

export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 300;
const LEFT = 72;
const RIGHT = 8;
const TOP = 12;
const BOTTOM = 44;
const PLOT_WIDTH = CHART_WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = CHART_HEIGHT - TOP - BOTTOM;
/** The share of a month's slot its bar takes. */
const BAR_SHARE = 0.7;

/** DSFR illustrative colours with at least 3:1 contrast on white (RGAA 3.2, graphic objects). */
export const CHART_COLOURS = [
  '#000091',
  '#009081',
  '#ce614a',
  '#a558a0',
  '#3558a2',
  '#7d4e5b',
  '#6a6af4',
  '#66673d',
] as const;

export interface ChartSegment {
  readonly benefit: string;
  readonly cents: number;
  readonly y: number;
  readonly height: number;
  readonly colour: string;
}

export interface ChartBar {
  readonly month: string;
  readonly x: number;
  readonly width: number;
  /** Centre of the bar, for its labels. */
  readonly labelX: number;
  readonly monthLabel: string;
  /** The year under January and under the first bar; null elsewhere. */
  readonly yearLabel: string | null;
  readonly totalCents: number;
  /** Bottom to top, in the legend's order. */
  readonly segments: readonly ChartSegment[];
}

export interface ChartTick {
  readonly y: number;
  readonly cents: number;
  readonly label: string;
}

export interface PaymentChart {
  readonly width: number;
  readonly height: number;
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  readonly ticks: readonly ChartTick[];
  readonly bars: readonly ChartBar[];
  readonly legend: readonly { readonly benefit: string; readonly colour: string }[];
  /** The sentence of the SVG's <desc>. */
  readonly description: string;
}

const monthFormat = new Intl.DateTimeFormat('fr-FR', { month: 'short', timeZone: 'UTC' });
const longMonthFormat = new Intl.DateTimeFormat('fr-FR', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const wholeEuros = new Intl.NumberFormat('fr-FR', {
  style: 'currency',
  currency: 'EUR',
  maximumFractionDigits: 0,
});

function dateOfMonth(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, 1));
}

const monthNameOf = memoized((month) => longMonthFormat.format(dateOfMonth(month)));
const shortMonthOf = memoized((month) => monthFormat.format(dateOfMonth(month)));

/** "2026-03" → "mars 2026". */
export function monthName(month: string): string {
  return monthNameOf(month);
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** A round step (1, 2 or 5 × 10ⁿ euros) giving about four intervals up to `maxCents`. */
export function axisStep(maxCents: number): number {
  const rough = Math.max(maxCents, 100) / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((k) => k * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  // Whole euros: a step is never below 1 €.
  return Math.max(100, Math.round(step / 100) * 100);
}

/** Months oldest first, as groupByMonth gives them; `benefits` fixes the colours. */
export function buildPaymentChart(
  months: readonly MonthOfPayments[],
  benefits: readonly string[],
): PaymentChart {
  const colourOf = (benefit: string): string =>
    CHART_COLOURS[Math.max(0, benefits.indexOf(benefit)) % CHART_COLOURS.length] ?? '#000091';
  const highest = Math.max(0, ...months.map((m) => m.totalCents));
  const step = axisStep(highest);
  const top = Math.max(step, Math.ceil(highest / step) * step);
  const scale = PLOT_HEIGHT / top;
  const baseline = TOP + PLOT_HEIGHT;
  const ticks: ChartTick[] = [];
  for (let cents = 0; cents <= top; cents += step) {
    ticks.push({
      y: round(baseline - cents * scale),
      cents,
      label: wholeEuros.format(cents / 100),
    });
  }
  const slot = months.length ? PLOT_WIDTH / months.length : PLOT_WIDTH;
  const width = round(slot * BAR_SHARE);
  const bars = months.map((m, i): ChartBar => {
    const x = round(LEFT + i * slot + (slot - width) / 2);
    let y = baseline;
    const segments = benefits
      .map((benefit) => m.byBenefit.find((b) => b.benefit === benefit))
      .filter((b): b is BenefitTotal => b !== undefined && b.cents > 0)
      .map((b): ChartSegment => {
        const height = b.cents * scale;
        y -= height;
        return {
          benefit: b.benefit,
          cents: b.cents,
          y: round(y),
          height: round(height),
          colour: colourOf(b.benefit),
        };
      });
    // 'YYYY-MM': the year and January read from the string (no date to build per bar).
    const year = m.month.slice(0, 4);
    return {
      month: m.month,
      x,
      width,
      labelX: round(x + width / 2),
      monthLabel: shortMonthOf(m.month),
      yearLabel: i === 0 || m.month.endsWith('-01') ? String(Number(year)) : null,
      totalCents: m.totalCents,
      segments,
    };
  });
  const first = months[0];
  const last = months[months.length - 1];
  const span = first && last ? ` de ${monthName(first.month)} à ${monthName(last.month)}` : '';
  const named = benefits.length ? ` : ${benefits.join(', ')}` : '';
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    plot: { left: LEFT, top: TOP, right: CHART_WIDTH - RIGHT, bottom: baseline },
    ticks,
    bars,
    legend: benefits.map((benefit) => ({ benefit, colour: colourOf(benefit) })),
    description:
      `Montants versés chaque mois${span}, une barre par mois, empilés par prestation${named}. ` +
      'Le tableau qui suit donne les mêmes montants.',
  };
}
