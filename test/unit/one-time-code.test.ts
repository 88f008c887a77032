import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeMatches, generateCode, hashCode, normalizeCode } from '#src/domain/one-time-code.ts';

const key = Buffer.alloc(32, 9);
const person = '6f1c2d7e-8a9b-4c0d-9e1f-2a3b4c5d6e7f';

describe('one-time codes', () => {
  it('are 6 digits', () => {
    fc.assert(
      fc.property(fc.constant(null), () => /^\d{6}$/.test(generateCode())),
      { numRuns: 200 },
    );
    expect(generateCode()).toMatch(/^\d{6}$/);
  });

  it('verify only for the purpose and person they were issued for', () => {
    const stored = hashCode(key, 'contact-validation', person, '123456');
    expect(codeMatches(key, 'contact-validation', person, '123456', stored)).toBe(true);
    expect(codeMatches(key, 'password-recovery', person, '123456', stored)).toBe(false);
    expect(codeMatches(key, 'contact-validation', 'another-person', '123456', stored)).toBe(false);
    expect(codeMatches(key, 'contact-validation', person, '123457', stored)).toBe(false);
    expect(codeMatches(Buffer.alloc(32, 1), 'contact-validation', person, '123456', stored)).toBe(
      false,
    );
  });

  it('are never stored in clear', () => {
    expect(hashCode(key, 'contact-validation', person, '123456').toString('hex')).not.toContain(
      '123456',
    );
  });

  it('tolerate spaces when typed', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
  });
});
