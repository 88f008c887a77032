import { describe, expect, it } from 'vitest';
import {
  isProvisionalId,
  parseProvisionalId,
  provisionalIdErrorMessage,
} from '#src/domain/provisional-id.ts';

describe('parseProvisionalId', () => {
  it.each([
    ['P2026004817', 'P2026004817'],
    ['p2026004817', 'P2026004817'],
    [' P 2026 004 817 ', 'P2026004817'],
    ['P0000000001', 'P0000000001'],
  ])('accepts %j as %s', (input, value) => {
    expect(parseProvisionalId(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['P202600481', 'format'],
    ['P20260048170', 'format'],
    ['2026004817', 'format'],
    ['X2026004817', 'format'],
    ['P2026-004817', 'format'],
    ['PP026004817', 'format'],
    ['P２０２６００４８１７', 'format'],
    // A NIA (temporary number starting with 7 or 8) is not the Caf's identifier either.
    ['7850375114123', 'format'],
    ['2850375114123', 'looks-like-nir'],
    ['1 85 03 2A 004 019 12', 'looks-like-nir'],
  ])('refuses %j (%s)', (input, error) => {
    expect(parseProvisionalId(input)).toEqual({ ok: false, error });
  });

  it('explains each refusal in French, with the expected shape', () => {
    expect(provisionalIdErrorMessage('empty')).toBe('Saisissez votre identifiant provisoire.');
    expect(provisionalIdErrorMessage('format')).toContain('lettre P suivie de 10 chiffres');
    expect(provisionalIdErrorMessage('looks-like-nir')).toContain('numéro de sécurité sociale');
  });

  it('tells a normalized identifier from anything else', () => {
    expect(isProvisionalId('P2026004817')).toBe(true);
    expect(isProvisionalId('p2026004817')).toBe(false);
    expect(isProvisionalId('P 2026004817')).toBe(false);
  });
});
