// NIR — numéro d'inscription au répertoire (numéro de sécurité sociale).
// Layout: S AA MM DD(D) CCC(CC) OOO [KK]
//   S sex, AA birth year, MM birth month, DD/DDD + CCC/CC birthplace (5 characters),
//   OOO order number, KK key = 97 − (n mod 97).

export type NirError =
  | 'empty'
  | 'length'
  | 'characters'
  | 'sex'
  | 'temporary'
  | 'month'
  | 'department'
  | 'order'
  | 'key';

export interface Nir {
  /** The 13 normalized characters, without the key, e.g. "2850375112123" or "185072A004012". */
  readonly value: string;
  readonly sex: 1 | 2;
  /** 0..99 */
  readonly birthYear2: number;
  /** 1..12, or null for the "unknown / fictitious month" codes (20, 30–42, 50–99). */
  readonly birthMonth: number | null;
  /** "75", "2A", "971", "99" */
  readonly department: string;
  /** "112", "04" (overseas) or the INSEE country code when department is "99". */
  readonly commune: string;
  /** "123" */
  readonly order: string;
  /** 2 digits, computed, zero-padded. */
  readonly key: string;
}

export type NirParseResult =
  { readonly ok: true; readonly nir: Nir } | { readonly ok: false; readonly error: NirError };

interface Birthplace {
  readonly department: string;
  readonly commune: string;
}

const NIR13_SHAPE = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}$/;
const ALLOWED_CHARACTERS = /^[0-9AB]*$/;
const DIGITS = /^[0-9]*$/;

export function normalizeNirInput(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

/**
 * Key of a normalized 13-character NIR ("01".."97").
 * Throws a RangeError if `nir13` is not 13 normalized characters (digits, 2A/2B allowed as department).
 */
export function computeNirKey(nir13: string): string {
  if (!NIR13_SHAPE.test(nir13)) {
    throw new RangeError('computeNirKey: expected 13 normalized NIR characters');
  }
  // Corsica: 2A counts as 19 and 2B as 18 in the key computation.
  const numeric = nir13.slice(0, 5) + corsicaToDigits(nir13.slice(5, 7)) + nir13.slice(7);
  // 13 digits < 10^13 < 2^53: a plain number is exact, no BigInt needed.
  const key = 97 - (Number(numeric) % 97);
  return String(key).padStart(2, '0');
}

export function parseNir(input: string): NirParseResult {
  const normalized = normalizeNirInput(input);
  if (normalized === '') return fail('empty');
  // Checked before the length so that "1-85-…" reports the dash rather than a count.
  if (!ALLOWED_CHARACTERS.test(normalized)) return fail('characters');
  if (normalized.length !== 13 && normalized.length !== 15) return fail('length');

  const body = normalized.slice(0, 13);
  const givenKey = normalized.slice(13);
  if (!NIR13_SHAPE.test(body) || !DIGITS.test(givenKey)) return fail('characters');

  const sex = parseSex(body.charAt(0));
  if (sex === 'temporary' || sex === 'sex') return fail(sex);

  const month = parseMonthCode(Number(body.slice(3, 5)));
  if (month === 'invalid') return fail('month');

  const place = parseBirthplace(body.slice(5, 10));
  if (place === null) return fail('department');

  const order = body.slice(10, 13);
  if (order === '000') return fail('order');

  const key = computeNirKey(body);
  if (givenKey !== '' && givenKey !== key) return fail('key');

  return {
    ok: true,
    nir: {
      value: body,
      sex,
      birthYear2: Number(body.slice(1, 3)),
      birthMonth: month,
      department: place.department,
      commune: place.commune,
      order,
      key,
    },
  };
}

export function formatNir(nir: Nir): string {
  return [
    String(nir.sex),
    pad(nir.birthYear2, 2),
    nir.value.slice(3, 5),
    nir.department,
    nir.commune,
    nir.order,
    nir.key,
  ].join(' ');
}

const ERROR_MESSAGES: Readonly<Record<NirError, string>> = {
  empty: 'Saisissez votre numéro de sécurité sociale.',
  length: 'Le numéro de sécurité sociale doit comporter 13 caractères (ou 15 avec la clé).',
  characters:
    'Le numéro de sécurité sociale ne doit contenir que des chiffres (ainsi que 2A ou 2B pour une naissance en Corse).',
  sex: 'Le numéro de sécurité sociale doit commencer par 1 ou 2.',
  temporary:
    "Ce numéro est un numéro provisoire d'attente : utilisez « J'ai un identifiant provisoire » pour vous connecter.",
  month:
    "Le mois de naissance indiqué dans le numéro de sécurité sociale (4e et 5e chiffres) n'est pas valide.",
  department:
    "Le lieu de naissance indiqué dans le numéro de sécurité sociale (du 6e au 10e caractère) n'est pas valide.",
  order:
    "Le numéro d'ordre indiqué dans le numéro de sécurité sociale (du 11e au 13e chiffre) n'est pas valide.",
  key: 'La clé du numéro de sécurité sociale ne correspond pas. Vérifiez les 15 caractères saisis.',
};

export function nirErrorMessage(error: NirError): string {
  return ERROR_MESSAGES[error];
}

/** True when sex, 2-digit birth year and (if known) birth month agree with the identity. */
export function nirMatchesIdentity(
  nir: Nir,
  identity: { sex: 1 | 2; birthdate: string /* YYYY-MM-DD */ },
): boolean {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(identity.birthdate);
  const year = match?.[1];
  const month = match?.[2];
  if (year === undefined || month === undefined) return false;
  if (identity.sex !== nir.sex) return false;
  if (Number(year) % 100 !== nir.birthYear2) return false;
  return nir.birthMonth === null || nir.birthMonth === Number(month);
}

/**
 * Builds a valid Nir from its parts; throws a RangeError if they cannot form one.
 * `birthYear` may be a full year (1985) or 2 digits (85): only `birthYear % 100` is kept.
 * `birthMonth` is 1..12 or one of the unknown-month codes (20, 30–42, 50–99).
 */
export function makeNir(parts: {
  sex: 1 | 2;
  birthYear: number;
  birthMonth: number;
  department: string;
  commune: string;
  order: number;
}): Nir {
  const { sex, birthYear, birthMonth, order } = parts;
  const department = parts.department.toUpperCase();
  const commune = parts.commune;
  if (!isIntegerIn(birthYear, 0, 9999)) throw new RangeError('makeNir: invalid birthYear');
  if (!isIntegerIn(birthMonth, 1, 99)) throw new RangeError('makeNir: invalid birthMonth');
  if (!isIntegerIn(order, 1, 999)) throw new RangeError('makeNir: order must be 1..999');

  const value = `${sex}${pad(birthYear % 100, 2)}${pad(birthMonth, 2)}${department}${commune}${pad(order, 3)}`;
  const result = parseNir(value);
  // The department/commune check rejects splits such as ("97", "104") that parse as 971 + 04.
  if (
    value.length !== 13 ||
    !result.ok ||
    result.nir.department !== department ||
    result.nir.commune !== commune
  ) {
    throw new RangeError(`makeNir: invalid parts (${result.ok ? 'birthplace' : result.error})`);
  }
  return result.nir;
}

function fail(error: NirError): NirParseResult {
  return { ok: false, error };
}

function parseSex(char: string): 1 | 2 | 'temporary' | 'sex' {
  if (char === '1') return 1;
  if (char === '2') return 2;
  // 7/8: NIA (numéro d'attente) given while the person is not yet registered.
  if (char === '7' || char === '8') return 'temporary';
  return 'sex';
}

/** 1..12, null for the unknown/fictitious month codes, 'invalid' otherwise. */
function parseMonthCode(code: number): number | null | 'invalid' {
  if (code >= 1 && code <= 12) return code;
  if (code === 20 || (code >= 30 && code <= 42) || (code >= 50 && code <= 99)) return null;
  return 'invalid';
}

/** `place` is the 5 characters at positions 6–10 (already known to match the NIR shape). */
function parseBirthplace(place: string): Birthplace | null {
  const dept2 = place.slice(0, 2);
  if (dept2 === '2A' || dept2 === '2B') return metropolitan(dept2, place.slice(2));

  const dept2Number = Number(dept2);
  // "20" is kept for any year: a 2-digit year cannot tell 19xx from 20xx, and people
  // born in Corsica before the 1976 split still carry 20 in their NIR.
  if (dept2Number >= 1 && dept2Number <= 96) return metropolitan(dept2, place.slice(2));
  if (dept2Number === 97) return overseas(place, 971, 978);
  if (dept2Number === 98) return overseas(place, 980, 989);
  if (dept2Number === 99) {
    const country = place.slice(2);
    return isCodeIn(country, 1, 990) ? { department: '99', commune: country } : null;
  }
  return null;
}

function metropolitan(department: string, commune: string): Birthplace | null {
  return isCodeIn(commune, 1, 990) ? { department, commune } : null;
}

function overseas(place: string, minDept: number, maxDept: number): Birthplace | null {
  const department = place.slice(0, 3);
  const commune = place.slice(3);
  return isCodeIn(department, minDept, maxDept) && isCodeIn(commune, 1, 99)
    ? { department, commune }
    : null;
}

function isCodeIn(code: string, min: number, max: number): boolean {
  return DIGITS.test(code) && code !== '' && Number(code) >= min && Number(code) <= max;
}

function isIntegerIn(n: number, min: number, max: number): boolean {
  return Number.isInteger(n) && n >= min && n <= max;
}

function corsicaToDigits(department2: string): string {
  if (department2 === '2A') return '19';
  if (department2 === '2B') return '18';
  return department2;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
