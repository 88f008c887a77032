/**
 * IBAN and BIC of a bank account in the SEPA zone, where the Caf pays benefits.
 * IBAN: country code, 2 check digits, then the national account number (ISO 13616), valid
 * when the number rearranged into digits is 1 modulo 97.
 */

/** Length of the IBAN of each SEPA country and territory (SWIFT IBAN registry). */
const SEPA_IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22,
  // French overseas departments and territories have IBANs of the French format.
  BL: 27,
  GF: 27,
  GP: 27,
  MF: 27,
  MQ: 27,
  NC: 27,
  PF: 27,
  PM: 27,
  RE: 27,
  TF: 27,
  WF: 27,
  YT: 27,
};

export type IbanError = 'empty' | 'characters' | 'country' | 'length' | 'checksum';

export type IbanResult =
  | { readonly ok: true; readonly iban: string }
  | { readonly ok: false; readonly error: IbanError; readonly expectedLength?: number };

/** Spaces and dashes are tolerated and removed; letters are upper-cased. */
export function normalizeIban(input: string): string {
  return input.replace(/[\s-]+/g, '').toUpperCase();
}

/** 97 − …: 1 for a valid IBAN. Works on strings of any length, digit by digit. */
export function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    // A → 10 … Z → 35; digits stay as they are.
    const value = code >= 65 && code <= 90 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

export function parseIban(input: string): IbanResult {
  const iban = normalizeIban(input);
  if (iban === '') return { ok: false, error: 'empty' };
  if (!/^[A-Z0-9]+$/.test(iban)) return { ok: false, error: 'characters' };
  const expected = SEPA_IBAN_LENGTHS[iban.slice(0, 2)];
  if (!/^[A-Z]{2}/.test(iban) || expected === undefined) return { ok: false, error: 'country' };
  if (iban.length !== expected) return { ok: false, error: 'length', expectedLength: expected };
  if (!/^[A-Z]{2}[0-9]{2}/.test(iban) || ibanRemainder(iban) !== 1) {
    return { ok: false, error: 'checksum' };
  }
  return { ok: true, iban };
}

export function ibanErrorMessage(
  result: Extract<IbanResult, { ok: false }>,
  input: string,
): string {
  switch (result.error) {
    case 'empty':
      return 'Saisissez l’IBAN du compte.';
    case 'characters':
      return 'L’IBAN ne doit contenir que des lettres et des chiffres (les espaces sont acceptés).';
    case 'country':
      return 'L’IBAN doit commencer par le code d’un pays de la zone SEPA, par exemple FR pour la France.';
    case 'length':
      return `Un IBAN commençant par ${normalizeIban(input).slice(0, 2)} comporte ${String(result.expectedLength ?? 0)} caractères ; vous en avez saisi ${String(normalizeIban(input).length)}.`;
    case 'checksum':
      return 'Cet IBAN n’est pas valide : la clé de contrôle ne correspond pas. Vérifiez chaque caractère sur votre relevé d’identité bancaire.';
  }
}

/** "AGRIFRPPXXX" or "AGRIFRPP": bank (4 letters), country (2 letters), place (2), branch (3). */
export function parseBic(input: string): { ok: true; bic: string } | { ok: false } {
  const bic = input.replace(/\s+/g, '').toUpperCase();
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$/.test(bic)
    ? { ok: true, bic }
    : { ok: false };
}

/** "FR7630006000011234567890189" → "FR76 3000 6000 0112 3456 7890 189". */
export function formatIban(iban: string): string {
  return normalizeIban(iban).replace(/(.{4})(?=.)/g, '$1 ');
}

/** A French IBAN with its check digits computed, from a 23-character BBAN (demo data). */
export function frenchIban(bban: string): string {
  const check = 98 - ibanRemainder(`FR00${bban}`);
  return `FR${String(check).padStart(2, '0')}${bban}`;
}
