import { describe, expect, it } from 'vitest';
import { maxAttemptsIn, accountRules } from '#src/domain/throttle.ts';
import {
  formatReference,
  initialsOf,
  newAttestationReference,
  parseReference,
  REFERENCE_ALPHABET,
  REFERENCE_LENGTH,
} from '#src/domain/attestation-reference.ts';

describe('attestation references', () => {
  it('draws 12 symbols of the readable alphabet (no 0/O, 1/I/L), different each time', () => {
    const drawn = Array.from({ length: 200 }, () => newAttestationReference());
    for (const r of drawn) {
      expect(r).toHaveLength(REFERENCE_LENGTH);
      for (const c of r) expect(REFERENCE_ALPHABET).toContain(c);
    }
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OIL]/);
    // At least 2^58 references: enumeration at 30 checks an hour is hopeless.
    expect(REFERENCE_LENGTH * Math.log2(REFERENCE_ALPHABET.length)).toBeGreaterThan(58);
  });

  it('prints as three groups and reads back what a person types (case, spaces, dashes)', () => {
    const r = newAttestationReference();
    const printed = formatReference(r);
    expect(printed).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(parseReference(printed)).toBe(r);
    expect(parseReference(` ${printed.toLowerCase().replace(/-/g, ' ')} `)).toBe(r);
  });

  it('rejects what cannot be a reference', () => {
    for (const input of [
      '',
      'ABCD-EFGH-JKM',
      'ABCD-EFGH-JKMNP',
      'ABCD-EFGH-JKM0',
      'ABCD-EFGH-JKMI',
    ]) {
      expect({ input, parsed: parseReference(input) }).toEqual({ input, parsed: null });
    }
  });

  it('shows initials only', () => {
    expect(initialsOf('Camille', 'MARTIN')).toBe('C. M.');
    expect(initialsOf('élodie', 'de la Tour')).toBe('É. D.');
  });

  it('the public check allows 30 references an hour per client address', () => {
    expect(maxAttemptsIn(accountRules['attestation-check'], 3_600_000)).toBe(30);
  });
});
