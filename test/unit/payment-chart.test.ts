import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#src/config.ts';
import { axisStep, buildPaymentChart, CHART_COLOURS } from '#src/domain/payment-chart.ts';
import { groupByMonth, type Payment } from '#src/domain/payments.ts';
import { chartMarkup } from '#src/http/journeys/paiements/markup.ts';
import { registerFilters } from '#src/http/nunjucks/filters.ts';

let next = 0;
function paid(paidOn: string, benefit: string, netCents: number): Payment {
  next += 1;
  return {
    id: String(next),
    paidOn,
    benefit,
    periodStart: paidOn,
    periodEnd: paidOn,
    grossCents: netCents,
    netCents,
  };
}

const AF = 'Allocations familiales';
const APL = 'Aide personnalisée au logement';

function chartOf(payments: Payment[], months: string[], benefits: string[]) {
  return buildPaymentChart(groupByMonth(payments, months), benefits);
}

describe('buildPaymentChart: stacked bars of the months by benefit', () => {
  it('draws bars whose heights are proportional to the amounts, on one baseline', () => {
    const chart = chartOf(
      [paid('2026-01-05', AF, 10000), paid('2026-02-05', AF, 25000), paid('2026-03-05', AF, 5000)],
      ['2026-01', '2026-02', '2026-03'],
      [AF],
    );
    const heights = chart.bars.map((b) => b.segments[0]?.height ?? 0);
    expect(heights[1] ?? 0).toBeCloseTo((heights[0] ?? 0) * 2.5, 1);
    expect(heights[2] ?? 0).toBeCloseTo((heights[0] ?? 0) / 2, 1);
    for (const bar of chart.bars) {
      const seg = bar.segments[0];
      expect((seg?.y ?? 0) + (seg?.height ?? 0)).toBeCloseTo(chart.plot.bottom, 1);
    }
    // The axis reaches the highest bar, in whole-euro steps, labelled in euros.
    const top = chart.ticks[chart.ticks.length - 1];
    expect(top?.cents).toBeGreaterThanOrEqual(25000);
    expect(chart.ticks[0]).toMatchObject({ cents: 0, y: chart.plot.bottom });
    expect(chart.ticks.map((t) => t.label.replace(/\s/g, ' '))).toContain('100 €');
    // A tick's height and a bar's height share one scale.
    const tick100 = chart.ticks.find((t) => t.cents === 10000);
    expect(chart.plot.bottom - (tick100?.y ?? 0)).toBeCloseTo(heights[0] ?? 0, 1);
  });

  it('keeps a month without payment as an empty slot, and bars in month order', () => {
    const chart = chartOf([paid('2026-01-05', AF, 15105)], ['2025-12', '2026-01', '2026-02'], [AF]);
    expect(chart.bars.map((b) => b.month)).toEqual(['2025-12', '2026-01', '2026-02']);
    expect(chart.bars[0]?.segments).toEqual([]);
    expect(chart.bars[2]?.segments).toEqual([]);
    expect(chart.bars[1]?.segments).toHaveLength(1);
    const xs = chart.bars.map((b) => b.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    // The year under the first bar and under January only.
    expect(chart.bars.map((b) => b.yearLabel)).toEqual(['2025', '2026', null]);
  });

  it('stacks many benefits, in the legend’s order, each its own colour, the stack as tall as the total', () => {
    const benefits = ['RSA', APL, AF, 'PAJE', 'PPA'];
    const amounts = [64652, 28900, 15105, 19910, 16244];
    const chart = chartOf(
      benefits.map((b, i) => paid('2026-05-05', b, amounts[i] ?? 0)),
      ['2026-05'],
      benefits,
    );
    const bar = chart.bars[0];
    expect(bar?.segments.map((s) => s.benefit)).toEqual(benefits);
    expect(new Set(bar?.segments.map((s) => s.colour)).size).toBe(benefits.length);
    expect(chart.legend.map((l) => l.colour)).toEqual(CHART_COLOURS.slice(0, 5));
    const total = amounts.reduce((a, b) => a + b, 0);
    const stack = bar?.segments.reduce((h, s) => h + s.height, 0) ?? 0;
    const first = bar?.segments[0];
    expect(stack).toBeCloseTo(((first?.height ?? 0) * total) / (amounts[0] ?? 1), 0);
    // Each segment sits on the one below it.
    bar?.segments.slice(1).forEach((s, i) => {
      expect(s.y + s.height).toBeCloseTo(bar.segments[i]?.y ?? 0, 1);
    });
  });

  it('draws an empty period without dividing by zero', () => {
    const chart = chartOf([], ['2026-01', '2026-02'], []);
    expect(chart.bars.every((b) => b.segments.length === 0)).toBe(true);
    expect(chart.ticks.every((t) => Number.isFinite(t.y))).toBe(true);
    expect(chart.legend).toEqual([]);
  });

  it('chooses round axis steps', () => {
    expect(axisStep(15105)).toBe(5000);
    expect(axisStep(100000)).toBe(50000);
    expect(axisStep(0)).toBe(100);
  });
});

describe('views/pages/paiements/graphique.njk, with its parts from markup.ts (ADR 0017)', () => {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader(path.join(projectRoot, 'views')),
    { autoescape: true },
  );
  registerFilters(env);

  it('is an SVG image named by its title and description, no script, one rect per segment', () => {
    const chart = chartOf(
      [paid('2026-01-05', AF, 15105), paid('2026-01-05', '<script>APL</script>', 23841)],
      ['2025-12', '2026-01'],
      [AF, '<script>APL</script>'],
    );
    const html = env.render('pages/paiements/graphique.njk', {
      view: { chart },
      parts: { chart: chartMarkup(chart) },
    });
    expect(html).toMatch(
      /<svg [^>]*role="img" aria-labelledby="graphique-titre graphique-description"/,
    );
    expect(html).toContain(
      '<title id="graphique-titre">Paiements par mois et par prestation</title>',
    );
    expect(html).toMatch(/<desc id="graphique-description">Montants versés chaque mois/);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;APL');
    expect(html.match(/<rect [^>]*data-benefit=/g)).toHaveLength(2);
    expect(html).toContain('tableau qui suit');
  });
});
