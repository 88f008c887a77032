/** Postal codes and their communes (the official list), and how a typed commune matches one. */

export interface CommuneEntry {
  readonly nom: string;
  readonly codesPostaux?: readonly string[];
}

/** Postal code → the names of its communes, sorted, without duplicates. */
export type CommuneIndex = ReadonlyMap<string, readonly string[]>;

export function buildCommuneIndex(entries: Iterable<CommuneEntry>): CommuneIndex {
  const byCode = new Map<string, Set<string>>();
  for (const e of entries) {
    for (const code of e.codesPostaux ?? []) {
      const names = byCode.get(code) ?? new Set<string>();
      names.add(e.nom);
      byCode.set(code, names);
    }
  }
  const collator = new Intl.Collator('fr');
  return new Map([...byCode].map(([code, names]) => [code, [...names].sort(collator.compare)]));
}

/**
 * A commune name as people type it: case, accents, hyphens, apostrophes and spaces do not
 * count, « St » and « Ste » stand for Saint and Sainte.
 */
export function normaliseCommune(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\bste\b/g, 'sainte')
    .replace(/\bst\b/g, 'saint')
    .replace(/ /g, '');
}

/** A French postal code: five digits, spaces allowed as typed (« 69 001 »). */
export function normalisePostcode(input: string): string | null {
  const digits = input.replace(/\s+/g, '');
  return /^\d{5}$/.test(digits) ? digits : null;
}

export type CommuneMatch =
  | { readonly ok: true; readonly commune: string }
  | { readonly ok: false; readonly reason: 'unknown-postcode' }
  /** The postal code exists; `choices` are its communes (none typed, or none matched). */
  | {
      readonly ok: false;
      readonly reason: 'choose' | 'mismatch';
      readonly choices: readonly string[];
    };

/**
 * The official commune for this postal code and typed name. An empty name is accepted when the
 * postal code has one commune only; otherwise the person chooses among `choices`.
 */
export function matchCommune(index: CommuneIndex, postcode: string, typed: string): CommuneMatch {
  const choices = index.get(postcode);
  if (!choices) return { ok: false, reason: 'unknown-postcode' };
  const wanted = normaliseCommune(typed);
  if (wanted === '') {
    const [only] = choices;
    if (choices.length === 1 && only !== undefined) return { ok: true, commune: only };
    return { ok: false, reason: 'choose', choices };
  }
  const found = choices.find((name) => normaliseCommune(name) === wanted);
  return found ? { ok: true, commune: found } : { ok: false, reason: 'mismatch', choices };
}
