import { describe, expect, it } from 'vitest';
import {
  formatIban,
  ibanErrorMessage,
  ibanRemainder,
  parseBic,
  parseIban,
  type IbanResult,
} from '#src/domain/iban.ts';
import { demoDossiers } from '#src/seed/demo.ts';

function errorOf(input: string): Extract<IbanResult, { ok: false }> {
  const r = parseIban(input);
  if (r.ok) throw new Error(`expected ${input} to be refused`);
  return r;
}

describe('parseIban', () => {
  it.each([
    'FR7630006000011234567890189',
    'FR76 3000 6000 0112 3456 7890 189',
    'fr76-3000-6000-0112-3456-7890-189',
    'DE89370400440532013000',
    'BE68539007547034',
    'NO9386011117947',
    'GB29NWBK60161331926819',
    'MT84MALT011000012345MTLCAST001S',
  ])('accepts the valid IBAN %j, normalised', (input) => {
    const r = parseIban(input);
    expect(r.ok).toBe(true);
    expect(r.ok && r.iban).toMatch(/^[A-Z]{2}\d{2}[A-Z0-9]+$/);
  });

  it('accepts the IBAN of the first demo dossier', () => {
    const iban = demoDossiers[0]?.iban ?? '';
    expect(parseIban(iban)).toEqual({ ok: true, iban });
  });

  it('refuses one wrong character or two swapped characters (mod 97)', () => {
    expect(errorOf('FR7630006000011234567890188').error).toBe('checksum');
    expect(errorOf('FR7630006000011234567890819').error).toBe('checksum');
    expect(errorOf('FR7730006000011234567890189').error).toBe('checksum');
  });

  it('refuses letters in the check digits', () => {
    expect(errorOf('FRAB30006000011234567890189').error).toBe('checksum');
  });

  it('explains a length that does not fit the country', () => {
    const input = 'FR76300060000112345678901';
    const e = errorOf(input);
    expect(e).toMatchObject({ error: 'length', expectedLength: 27 });
    expect(ibanErrorMessage(e, input)).toBe(
      'Un IBAN commençant par FR comporte 27 caractères ; vous en avez saisi 25.',
    );
  });

  it.each([
    ['', 'empty', 'Saisissez l’IBAN du compte.'],
    ['FR76*3000', 'characters', 'que des lettres et des chiffres'],
    ['US64SVBKUS6S3300958879', 'country', 'zone SEPA'],
    ['7630006000011234567890189', 'country', 'zone SEPA'],
  ])('refuses %j (%s) with a French message', (input, error, message) => {
    const e = errorOf(input);
    expect(e.error).toBe(error);
    expect(ibanErrorMessage(e, input)).toContain(message);
  });

  it('computes the remainder the standard way', () => {
    expect(ibanRemainder('GB82WEST12345698765432')).toBe(1);
    expect(ibanRemainder('GB82WEST12345698765433')).not.toBe(1);
  });
});

describe('parseBic', () => {
  it.each(['AGRIFRPPXXX', 'AGRIFRPP', 'cepa fr pp 131'])('accepts %j', (input) => {
    expect(parseBic(input).ok).toBe(true);
  });
  it.each(['AGRI', 'AGRIFRPPXX', '1GRIFRPPXXX', 'AGRI-FR-PP'])('refuses %j', (input) => {
    expect(parseBic(input).ok).toBe(false);
  });
});

describe('formatIban', () => {
  it('groups by four', () => {
    expect(formatIban('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });
});

describe('frenchIban', () => {
  it('computes check digits that parseIban accepts', async () => {
    const { frenchIban, parseIban } = await import('#src/domain/iban.ts');
    const iban = frenchIban('30006000010000800000100');
    expect(iban).toMatch(/^FR\d{2}30006000010000800000100$/);
    expect(parseIban(iban).ok).toBe(true);
  });
});

describe('demo data', () => {
  it('has only valid IBANs', async () => {
    const { demoDossiers } = await import('#src/seed/demo.ts');
    const { parseIban } = await import('#src/domain/iban.ts');
    expect(demoDossiers.filter((d) => !parseIban(d.iban).ok).map((d) => d.number)).toEqual([]);
  });
});
