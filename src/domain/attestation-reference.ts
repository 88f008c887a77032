import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a landlord reads the reference off paper and types it. 31 symbols. */
export const REFERENCE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const REFERENCE_LENGTH = 12;

/** A fresh reference: 12 symbols drawn uniformly (31^12 ≈ 2^59), unguessable by enumeration. */
export function newAttestationReference(): string {
  let reference = '';
  for (let i = 0; i < REFERENCE_LENGTH; i += 1) {
    reference += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)] ?? '';
  }
  return reference;
}

/** As printed: three groups of four, « ABCD-EFGH-JKMN ». */
export function formatReference(reference: string): string {
  return reference.match(/.{1,4}/g)?.join('-') ?? reference;
}

/**
 * The reference a person typed, as stored, or null when it cannot be one (spaces, dashes and
 * case are forgiven; the look-alikes O and I are read as 0 and 1, hence never match).
 */
export function parseReference(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s\-.]/g, '');
  if (compact.length !== REFERENCE_LENGTH) return null;
  for (const c of compact) if (!REFERENCE_ALPHABET.includes(c)) return null;
  return compact;
}

/** « C. M. » for Camille MARTIN: all the public verification shows of the holder. */
export function initialsOf(givenName: string, familyName: string): string {
  const first = (name: string) => name.trim().charAt(0).toLocaleUpperCase('fr-FR');
  return `${first(givenName)}. ${first(familyName)}.`;
}
