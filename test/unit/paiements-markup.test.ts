import path from 'node:path';
import fc from 'fast-check';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#src/config.ts';
import type { PaymentChart } from '#src/domain/payment-chart.ts';
import { escapeHtml, markup } from '#src/http/html.ts';
import {
  chartMarkup,
  monthsMarkup,
  tableColumns,
  tableMarkup,
} from '#src/http/journeys/paiements/markup.ts';
import { registerFilters } from '#src/http/nunjucks/filters.ts';
import { paths } from '#src/http/paths.ts';
import type { PaymentsView } from '#src/services/payments.ts';

/**
 * ADR 0017: Mes paiements' month sections and chart parts are built in TypeScript. The oracle is
 * the Nunjucks markup they replaced (below, as it was in views/pages/paiements/), rendered with
 * the real table component and filters: for any view, the same HTML but for the blank space
 * between tags.
 */
const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(path.join(projectRoot, 'views')),
  { autoescape: true, throwOnUndefined: false },
);
registerFilters(env);
env.addGlobal('paths', paths);

const MONTHS_ORACLE = `{% from "components/table/macro.njk" import table %}
  {% for m in view.months %}
  <section class="fr-mb-4w" aria-labelledby="mois-{{ m.month }}" data-mois="{{ m.month }}">
    <h3 class="fr-h5" id="mois-{{ m.month }}">{{ m.label | capitalize }}{% if m.totalCents %} — {{ m.totalCents | euros }}{% endif %}</h3>
    {% if m.payments.length %}
    {% call table({ id: "mois-" + m.month + "-tableau", caption: "Paiements de " + m.label, headers: ["Prestation", "Période couverte", "Versé le", "Montant versé"], secondary: [2, 3] }) %}
    {% for p in m.payments %}
    <tr data-paiement="{{ p.id }}"><td><a href="{{ paths.paiements }}/{{ p.id }}">{{ p.benefit }}</a>{% if p.grossCents != p.netCents %} <span class="fr-badge fr-badge--warning fr-badge--sm fr-badge--no-icon">Retenue</span>{% endif %}</td><td>{{ p.periodLabel }}</td><td>{{ p.paidOn | dateFr }}</td><td>{{ p.netCents | euros }}</td></tr>
    {% endfor %}
    {% endcall %}
    {% else %}
    <p>Aucun paiement ce mois-ci.</p>
    {% endif %}
  </section>
  {% endfor %}`;

const TICKS_ORACLE = `{% for t in c.ticks %}
    <line x1="{{ c.plot.left }}" x2="{{ c.plot.right }}" y1="{{ t.y }}" y2="{{ t.y }}" stroke="currentColor" stroke-opacity="{{ '0.6' if loop.first else '0.15' }}"/>
    <text x="{{ c.plot.left - 6 }}" y="{{ t.y + 4 }}" text-anchor="end" font-size="12" fill="currentColor" data-tick="{{ t.cents }}">{{ t.label }}</text>
    {% endfor %}`;
const BARS_ORACLE = `{% for b in c.bars %}
    <g data-month="{{ b.month }}">
      {% for seg in b.segments %}
      <rect x="{{ b.x }}" y="{{ seg.y }}" width="{{ b.width }}" height="{{ seg.height }}" fill="{{ seg.colour }}" data-benefit="{{ seg.benefit }}" data-cents="{{ seg.cents }}"><title>{{ seg.benefit }}, {{ b.monthLabel }} {{ b.yearLabel or '' }} : {{ seg.cents | euros }}</title></rect>
      {% endfor %}
      <text x="{{ b.labelX }}" y="{{ c.plot.bottom + 16 }}" text-anchor="middle" font-size="11" fill="currentColor">{{ b.monthLabel }}</text>
      {% if b.yearLabel %}<text x="{{ b.labelX }}" y="{{ c.plot.bottom + 32 }}" text-anchor="middle" font-size="11" font-weight="bold" fill="currentColor">{{ b.yearLabel }}</text>{% endif %}
    </g>
    {% endfor %}`;
const LEGEND_ORACLE = `{% for l in c.legend %}
      <li><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="{{ l.colour }}"/></svg> {{ l.benefit }}</li>
      {% endfor %}`;

/** Blank space between tags, and at either end, does not count. */
const squeeze = (markup: string): string => markup.replace(/>\s+</g, '><').trim();

// Text with everything escaping must handle: the six escaped characters, accents, blanks.
const text = fc.string({
  unit: fc.constantFrom('a', 'É', 'é', ' ', '<', '>', '&', '"', "'", '\\', '«', '-', '1'),
  maxLength: 12,
});
const cents = fc.integer({ min: 0, max: 10_000_000 });
const isoDay = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z') })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => d.toISOString().slice(0, 10));
const coordinate = fc.integer({ min: -50, max: 800 });

type MonthView = PaymentsView['months'][number];
const payment: fc.Arbitrary<MonthView['payments'][number]> = fc.record({
  id: fc.integer({ min: 1, max: 10_000_000 }).map(String),
  benefit: text,
  grossCents: cents,
  netCents: cents,
  periodLabel: text,
  paidOn: isoDay,
  periodStart: isoDay,
  periodEnd: isoDay,
});
const month: fc.Arbitrary<MonthView> = fc.record({
  month: fc.constantFrom('2026-11', '2026-01', '2025-12'),
  label: text,
  totalCents: cents,
  payments: fc.array(payment, { maxLength: 4 }),
  byBenefit: fc.constant([]),
});
const chart: fc.Arbitrary<PaymentChart> = fc.record({
  width: coordinate,
  height: coordinate,
  description: text,
  plot: fc.record({ left: coordinate, top: coordinate, right: coordinate, bottom: coordinate }),
  ticks: fc.array(fc.record({ y: coordinate, cents, label: text }), { maxLength: 5 }),
  bars: fc.array(
    fc.record({
      month: text,
      x: coordinate,
      width: coordinate,
      labelX: coordinate,
      totalCents: cents,
      monthLabel: text,
      yearLabel: fc.option(text),
      segments: fc.array(
        fc.record({ y: coordinate, height: coordinate, colour: text, benefit: text, cents }),
        { maxLength: 3 },
      ),
    }),
    { maxLength: 4 },
  ),
  legend: fc.array(fc.record({ colour: text, benefit: text }), { maxLength: 3 }),
});

describe('markup`…` (src/http/html.ts)', () => {
  const nunjucksEscape: unknown = Reflect.get(nunjucks.lib, 'escape');

  it('escapes any text exactly as Nunjucks’ autoescape does', () => {
    expect(typeof nunjucksEscape).toBe('function');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        if (typeof nunjucksEscape !== 'function') throw new Error('nunjucks.lib.escape is gone');
        const theirs: unknown = Reflect.apply(nunjucksEscape, null, [s]);
        expect(escapeHtml(s)).toBe(theirs);
        expect(markup`${s}`.val).toBe(theirs);
        expect(env.renderString('{{ s }}', { s })).toBe(theirs);
      }),
    );
  });

  it('writes its own fragments as they are, arrays item by item, nothing for null, undefined and false', () => {
    const inner = markup`<b>${'<i>'}</b>`;
    expect(markup`<p>${inner}</p>`.val).toBe('<p><b>&lt;i&gt;</b></p>');
    expect(markup`${['<', inner, 3]}`.val).toBe('&lt;<b>&lt;i&gt;</b>3');
    expect(markup`[${null}${undefined}${false}]`.val).toBe('[]');
    expect(markup`${0}${true}`.val).toBe('0true');
    // A plain string that looks like markup is text, whoever built it.
    expect(markup`${'<b>x</b>'}`.val).toBe('&lt;b&gt;x&lt;/b&gt;');
    // In a template, the fragment is written as it is (a SafeString), not escaped twice.
    expect(env.renderString('{{ f }}', { f: inner })).toBe('<b>&lt;i&gt;</b>');
  });
});

describe('Mes paiements’ repeated parts (src/http/journeys/paiements/markup.ts)', () => {
  it('writes the month sections and their tables as the Nunjucks markup did, for any months', () => {
    fc.assert(
      fc.property(fc.array(month, { maxLength: 4 }), (months) => {
        const view = { months };
        const theirs = env.renderString(MONTHS_ORACLE, { view });
        const ours = monthsMarkup(months).val;
        expect(squeeze(ours)).toBe(squeeze(theirs));
      }),
      { numRuns: 200 },
    );
  });

  it('writes the chart’s lines, bars and legend as the Nunjucks markup did, for any chart', () => {
    fc.assert(
      fc.property(chart, (c) => {
        const ours = chartMarkup(c);
        expect(squeeze(ours.ticks.val)).toBe(squeeze(env.renderString(TICKS_ORACLE, { c })));
        expect(squeeze(ours.bars.val)).toBe(squeeze(env.renderString(BARS_ORACLE, { c })));
        expect(squeeze(ours.legend.val)).toBe(squeeze(env.renderString(LEGEND_ORACLE, { c })));
      }),
      { numRuns: 200 },
    );
  });

  it('writes the table as views/components/table does', () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(text, { minLength: 1, maxLength: 4 }),
        fc.subarray([1, 2, 3, 4]),
        (id, caption, headers, secondary) => {
          const rows = markup`<tr>
            <td>${caption}</td>
          </tr>`;
          const theirs = env.renderString(
            '{% from "components/table/macro.njk" import table %}' +
              '{% call table({ id: id, caption: caption, headers: headers, secondary: secondary }) %}{{ rows }}{% endcall %}',
            { id, caption, headers, secondary, rows },
          );
          const columns = tableColumns(headers, secondary);
          const ours = tableMarkup({ id, caption, columns, rows }).val;
          expect(squeeze(ours)).toBe(squeeze(theirs));
        },
      ),
      { numRuns: 200 },
    );
  });
});
