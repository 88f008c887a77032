import { describe, expect, it } from 'vitest';
import { dateFr, euros } from '#src/http/nunjucks/filters.ts';

// The oracle: the filters as they were, one Intl call each.
const dateFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const euroFormat = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

function intlDateFr(isoDate: unknown): string {
  if (typeof isoDate !== 'string') return '';
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? '' : dateFormat.format(d);
}

function intlEuros(cents: unknown): string {
  return typeof cents === 'number' ? euroFormat.format(cents / 100) : '';
}

describe('dateFr and euros write what Intl wrote', () => {
  it('for every amount up to 2,000 € and a spread of larger, odd and invalid ones', () => {
    for (let c = 0; c <= 200_000; c++) expect(euros(c)).toBe(intlEuros(c));
    const odd = [
      -0, -1, -15105, 0.5, 15105.5, 1e15, 1e15 + 2, 1e16, 2 ** 53, -(2 ** 53), Number.NaN,
      Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, Number.MIN_VALUE,
    ]; // prettier-ignore
    for (let p = 1; p < 1e15; p *= 7) odd.push(Math.floor(p), Math.floor(p) + 1, Math.floor(p) - 1);
    for (const c of odd) expect(euros(c), String(c)).toBe(intlEuros(c));
    for (const v of ['15105', null, undefined, {}, 15105n]) expect(euros(v)).toBe(intlEuros(v));
    expect(euros(15105).replace(/\s/g, ' ')).toBe('151,05 €');
  });

  it('for every day from 1900 to 2100, a spread of years and odd strings', () => {
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2100, 11, 31); t += 86_400_000) {
      expect(dateFr(iso(t))).toBe(intlDateFr(iso(t)));
    }
    const odd = [
      '0999-12-31', '1000-01-01', '9999-12-31', '0001-01-01', '+010000-01-01', '2010-5-14',
      '2010-02-30', '2010-13-01', ' 2010-01-01', '2010-01-01T23:59:59+14:00', '2010-05-14 x',
      'pas une date', '', '20100514',
    ]; // prettier-ignore
    for (const s of odd) expect(dateFr(s), s).toBe(intlDateFr(s));
    for (const v of [null, undefined, 20100514, new Date(0)]) expect(dateFr(v)).toBe(intlDateFr(v));
    expect(dateFr('2010-05-14')).toBe('14 mai 2010');
  });
});
