import type { PaymentChart } from '#src/domain/payment-chart.ts';
import type { PaymentsView } from '#src/services/payments.ts';
import { markup, type Html } from '../../html.ts';
import { dateFr, euros } from '../../nunjucks/filters.ts';
import { paths } from '../../paths.ts';

/**
 * The parts of Mes paiements that repeat by the dozen: 24 month sections, each with its table,
 * and the chart's lines, bars and legend (ADR 0017). Through Nunjucks' loop and macro machinery
 * they cost the page most of its rendering time. The page's templates,
 * views/pages/paiements/index.njk and graphique.njk, keep everything else and place these parts.
 *
 * test/unit/paiements-markup.test.ts renders the same parts with the Nunjucks markup they
 * replace, the table component included, and checks that the output is the same for any view.
 */

/** Nunjucks' `capitalize`: the first letter upper case, the rest lower case. */
function capitalize(text: string): string {
  const lower = text.toLowerCase();
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** What a table's markup takes from its columns alone: made once for a list of columns. */
export interface TableColumns {
  readonly classes: Html;
  readonly head: Html;
}

/** `secondary`: the columns (1-based) left out on narrow screens. */
export function tableColumns(
  headers: readonly string[],
  secondary: readonly number[],
): TableColumns {
  return {
    classes: markup`${secondary.map((n) => markup` mc-table--secondary-${n}`)}`,
    head: markup`<thead><tr>${headers.map((h) => markup`<th scope="col">${h}</th>`)}</tr></thead>`,
  };
}

/**
 * views/components/table with no `attributes` and the caption hidden: the DSFR table, its
 * scrolling container named by the caption, the columns in `secondary` hidden on narrow screens.
 */
export function tableMarkup(p: {
  readonly id: string;
  readonly caption: string;
  readonly columns: TableColumns;
  readonly rows: Html;
}): Html {
  return markup`<div class="fr-table fr-table--multiline mc-table fr-table--no-caption${p.columns.classes}">
  <div class="fr-table__wrapper">
    <div class="fr-table__container" tabindex="0" role="region" aria-labelledby="${p.id}">
      <div class="fr-table__content">
        <table>
          <caption id="${p.id}">${p.caption}</caption>
          ${p.columns.head}
          <tbody>
            ${p.rows}
          </tbody>
        </table>
      </div>
    </div>
  </div>
</div>`;
}

const PAYMENT_COLUMNS = tableColumns(
  ['Prestation', 'Période couverte', 'Versé le', 'Montant versé'],
  [2, 3],
);

type Month = PaymentsView['months'][number];

function paymentRow(p: Month['payments'][number]): Html {
  const deducted =
    p.grossCents !== p.netCents &&
    markup` <span class="fr-badge fr-badge--warning fr-badge--sm fr-badge--no-icon">Retenue</span>`;
  return markup`
    <tr data-paiement="${p.id}"><td><a href="${paths.paiements}/${p.id}">${p.benefit}</a>${deducted}</td><td>${p.periodLabel}</td><td>${dateFr(p.paidOn)}</td><td>${euros(p.netCents)}</td></tr>`;
}

function monthSection(m: Month): Html {
  const total = m.totalCents !== 0 && markup` — ${euros(m.totalCents)}`;
  const body =
    m.payments.length > 0
      ? tableMarkup({
          id: `mois-${m.month}-tableau`,
          caption: `Paiements de ${m.label}`,
          columns: PAYMENT_COLUMNS,
          rows: markup`${m.payments.map(paymentRow)}`,
        })
      : markup`<p>Aucun paiement ce mois-ci.</p>`;
  return markup`
  <section class="fr-mb-4w" aria-labelledby="mois-${m.month}" data-mois="${m.month}">
    <h3 class="fr-h5" id="mois-${m.month}">${capitalize(m.label)}${total}</h3>
    ${body}
  </section>`;
}

/** « Détail mois par mois »: one section a month, newest first, its payments in a table. */
export function monthsMarkup(months: PaymentsView['months']): Html {
  return markup`${months.map(monthSection)}`;
}

/** The chart's repeated parts: the value lines and their labels, the bars, the legend's items. */
export function chartMarkup(c: PaymentChart): {
  readonly ticks: Html;
  readonly bars: Html;
  readonly legend: Html;
} {
  const ticks = c.ticks.map(
    (t, i) => markup`
    <line x1="${c.plot.left}" x2="${c.plot.right}" y1="${t.y}" y2="${t.y}" stroke="currentColor" stroke-opacity="${i === 0 ? '0.6' : '0.15'}"/>
    <text x="${c.plot.left - 6}" y="${t.y + 4}" text-anchor="end" font-size="12" fill="currentColor" data-tick="${t.cents}">${t.label}</text>`,
  );
  const bars = c.bars.map((b) => {
    const segments = b.segments.map(
      (seg) => markup`
      <rect x="${b.x}" y="${seg.y}" width="${b.width}" height="${seg.height}" fill="${seg.colour}" data-benefit="${seg.benefit}" data-cents="${seg.cents}"><title>${seg.benefit}, ${b.monthLabel} ${b.yearLabel ?? ''} : ${euros(seg.cents)}</title></rect>`,
    );
    const year =
      b.yearLabel !== null &&
      b.yearLabel !== '' &&
      markup`<text x="${b.labelX}" y="${c.plot.bottom + 32}" text-anchor="middle" font-size="11" font-weight="bold" fill="currentColor">${b.yearLabel}</text>`;
    return markup`
    <g data-month="${b.month}">${segments}
      <text x="${b.labelX}" y="${c.plot.bottom + 16}" text-anchor="middle" font-size="11" fill="currentColor">${b.monthLabel}</text>
      ${year}
    </g>`;
  });
  const legend = c.legend.map(
    (l) => markup`
      <li><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${l.colour}"/></svg> ${l.benefit}</li>`,
  );
  return { ticks: markup`${ticks}`, bars: markup`${bars}`, legend: markup`${legend}` };
}
