import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatEuroInput, MAX_AMOUNT_CENTS, parseEuroAmount } from '#src/domain/euro-amount.ts';

const UNITS = ['0', '1', '5', '9', ' ', ',', '.', '-', '€', '\u00a0', '\u202f', 'e'];
const cents = fc.integer({ min: 0, max: MAX_AMOUNT_CENTS });
const frenchCurrency = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const frenchNumber = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2 });

describe('parseEuroAmount: French amounts into integer cents', () => {
  it.each([
    ['1 234,56', 123456],
    ['1234,56', 123456],
    ['1234.56', 123456],
    ['1.234,56', 123456],
    ['1 234', 123400],
    ['1\u202f234,5 €', 123450],
    ['0,5', 50],
    [',5', 50],
    ['812', 81200],
    ['12 345 678,90', 1234567890],
    ['  42 euros ', 4200],
  ])('« %s » → %i cents', (input, expected) => {
    const parsed = parseEuroAmount(input);
    if (expected > MAX_AMOUNT_CENTS) expect(parsed).toEqual({ ok: false, error: 'too-large' });
    else expect(parsed).toEqual({ ok: true, cents: expected });
  });

  it.each([
    ['', 'format'],
    ['abc', 'format'],
    ['12,3,4', 'format'],
    ['1 23,00', 'format'],
    ['1 234.567', 'format'],
    ['1,', 'format'],
    ['12,345', 'decimals'],
    ['-5', 'negative'],
    ['1000000', 'too-large'],
    ['1e3', 'format'],
    ['0x10', 'format'],
  ])('refuses « %s » (%s)', (input, error) => {
    expect(parseEuroAmount(input)).toEqual({ ok: false, error });
  });

  it('reads back what Intl prints in French, with or without the currency sign', () => {
    fc.assert(
      fc.property(cents, (c) => {
        expect(parseEuroAmount(frenchCurrency.format(c / 100))).toEqual({ ok: true, cents: c });
        expect(parseEuroAmount(frenchNumber.format(c / 100))).toEqual({ ok: true, cents: c });
      }),
    );
  });

  it('reads back the field’s own format, and the plain dot-decimal form', () => {
    fc.assert(
      fc.property(cents, (c) => {
        expect(parseEuroAmount(formatEuroInput(c))).toEqual({ ok: true, cents: c });
        expect(parseEuroAmount((c / 100).toFixed(2))).toEqual({ ok: true, cents: c });
      }),
    );
  });

  it('never throws and only ever returns whole cents within bounds', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...UNITS) }), (s) => {
        const parsed = parseEuroAmount(s);
        if (parsed.ok) {
          expect(Number.isInteger(parsed.cents)).toBe(true);
          expect(parsed.cents).toBeGreaterThanOrEqual(0);
          expect(parsed.cents).toBeLessThanOrEqual(MAX_AMOUNT_CENTS);
        }
      }),
    );
  });
});
