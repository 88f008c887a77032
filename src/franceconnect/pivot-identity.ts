import { z } from 'zod';
import { nirMatchesIdentity, parseNir, type Nir } from '#src/domain/nir.ts';

/**
 * The pivot identity FranceConnect returns (userinfo), as certified by INSEE's RNIPP:
 * birth name, given names (space-separated), birth date, sex, INSEE code of the birthplace
 * (empty when born abroad) and INSEE code of the birth country (99100 for France).
 */
export const pivotIdentitySchema = z.object({
  sub: z.string().min(1),
  given_name: z.string().trim().min(1),
  family_name: z.string().trim().min(1),
  birthdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  gender: z.enum(['female', 'male']),
  birthplace: z.string().trim().default(''),
  birthcountry: z.string().regex(/^99\d{3}$/),
  email: z.string().optional(),
});

export type PivotIdentity = z.infer<typeof pivotIdentitySchema>;

export const FRANCE_COUNTRY_CODE = '99100';

/** A person on file who might be the one FranceConnect identified. */
export interface IdentityCandidate {
  readonly id: string;
  readonly nir: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly birthName: string | null;
  readonly sex: number;
  readonly birthdate: string;
}

export type IdentityMatch =
  | { readonly kind: 'none' }
  | { readonly kind: 'one'; readonly personId: string }
  | { readonly kind: 'ambiguous'; readonly count: number };

/** "Zoé-Anaïs  d'Almeida" → "ZOE-ANAIS DALMEIDA": accents, case, apostrophes and spacing aside. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[’'`]/g, '')
    .replace(/\s*-\s*/g, '-')
    .replace(/[^A-Z-]+/g, ' ')
    .trim();
}

/** The NIR's birthplace digits say the same as the INSEE codes FranceConnect returned. */
export function birthplaceMatchesNir(
  nir: Nir,
  identity: Pick<PivotIdentity, 'birthplace' | 'birthcountry'>,
): boolean {
  if (identity.birthcountry !== FRANCE_COUNTRY_CODE) {
    return nir.department === '99' && identity.birthcountry === `99${nir.commune}`;
  }
  const place = identity.birthplace.toUpperCase();
  if (nir.department === '99' || place.length !== 5) return false;
  if (place === nir.department + nir.commune) return true;
  // Born in Corsica before 1976: the NIR keeps "20", the INSEE code says 2A or 2B.
  return (
    nir.department === '20' && /^2[AB]$/.test(place.slice(0, 2)) && place.slice(2) === nir.commune
  );
}

/** Birth name and given names: the person's given name(s) must open FranceConnect's list. */
export function namesMatch(candidate: IdentityCandidate, identity: PivotIdentity): boolean {
  const birthName = normalizeName(candidate.birthName ?? candidate.familyName);
  if (birthName === '' || birthName !== normalizeName(identity.family_name)) return false;
  const theirs = normalizeName(identity.given_name).split(' ');
  const ours = normalizeName(candidate.givenName).split(' ');
  return ours.length <= theirs.length && ours.every((name, i) => name !== '' && name === theirs[i]);
}

/**
 * One person, or none: names, birth date and sex must agree, and the NIR's digits (sex, year
 * and month of birth, birthplace) must say the same. Persons without a NIR never match.
 * The e-mail is never looked at. Two or more candidates is "ambiguous", never a guess.
 */
export function matchPivotIdentity(
  identity: PivotIdentity,
  candidates: readonly IdentityCandidate[],
): IdentityMatch {
  const sex = identity.gender === 'female' ? 2 : 1;
  const matching = candidates.filter((c) => {
    if (c.sex !== sex || c.birthdate !== identity.birthdate || !c.nir) return false;
    if (!namesMatch(c, identity)) return false;
    const parsed = parseNir(c.nir);
    return (
      parsed.ok &&
      nirMatchesIdentity(parsed.nir, { sex, birthdate: identity.birthdate }) &&
      birthplaceMatchesNir(parsed.nir, identity)
    );
  });
  const [only] = matching;
  if (!only) return { kind: 'none' };
  if (matching.length > 1) return { kind: 'ambiguous', count: matching.length };
  return { kind: 'one', personId: only.id };
}
