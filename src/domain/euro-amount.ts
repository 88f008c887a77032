/** Amounts typed in euros, French style (« 1 234,56 »), read into integer cents. */

export type EuroAmountError = 'format' | 'decimals' | 'negative' | 'too-large';

export type EuroAmount = { ok: true; cents: number } | { ok: false; error: EuroAmountError };

/** A month's resource of one kind above this is a typing slip, not a figure (999 999,99 €). */
export const MAX_AMOUNT_CENTS = 99_999_999;

/** Spaces a French keyboard or a copied figure may hold: space, no-break and narrow no-break. */
const SPACES = /[\s\u00a0\u202f]/g;

/**
 * « 1 234,56 », « 1234.56 », « 1.234,56 », « 1 234 € », « 0,5 » → cents. The decimal separator
 * is a comma, or a dot followed by one or two digits; thousands are grouped by three with
 * spaces or dots (one kind per amount). Anything else is refused, never guessed.
 */
export function parseEuroAmount(input: string): EuroAmount {
  let s = input
    .replace(SPACES, ' ')
    .trim()
    .replace(/\s*(€|euros?|EUR)$/i, '');
  if (s.startsWith('-')) return /\d/.test(s) ? { ok: false, error: 'negative' } : fail();
  s = s.trim();
  let integer = s;
  let decimals = '';
  const comma = s.lastIndexOf(',');
  if (comma !== -1) {
    integer = s.slice(0, comma);
    decimals = s.slice(comma + 1);
  } else {
    const dot = /\.(\d{1,2})$/.exec(s);
    if (dot) {
      integer = s.slice(0, dot.index);
      decimals = dot[1] ?? '';
    }
  }
  if (!/^\d*$/.test(decimals)) return fail();
  if (decimals.length > 2)
    return /^\d+$/.test(decimals) ? { ok: false, error: 'decimals' } : fail();
  if (comma !== -1 && decimals === '') return fail();
  const digits = ungroup(integer);
  if (digits === null) return fail();
  const euros = digits === '' ? 0 : Number(digits);
  if (digits === '' && decimals === '') return fail();
  if (digits.length > 9) return { ok: false, error: 'too-large' };
  const cents = euros * 100 + Number(decimals.padEnd(2, '0'));
  return cents > MAX_AMOUNT_CENTS ? { ok: false, error: 'too-large' } : { ok: true, cents };
}

/** « 1 234 567 » or « 1.234.567 » or « 1234567 » → "1234567"; bad grouping → null. */
function ungroup(integer: string): string | null {
  if (/^\d*$/.test(integer)) return integer;
  const grouped = /^(\d{1,3})((?:([ .])\d{3})(?:\3\d{3})*)$/.exec(integer);
  return grouped ? integer.replace(/[ .]/g, '') : null;
}

function fail(): EuroAmount {
  return { ok: false, error: 'format' };
}

/** Cents → « 1 234,56 » as typed back into a field (plain spaces, no currency sign). */
export function formatEuroInput(cents: number): string {
  const euros = Math.floor(cents / 100);
  const rest = String(cents % 100).padStart(2, '0');
  return `${String(euros).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')},${rest}`;
}
