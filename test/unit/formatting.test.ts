import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { maskIban } from '#src/domain/masking.ts';
import { displayName } from '#src/domain/names.ts';
import { fieldError, formErrors, formValues } from '#src/http/forms.ts';
import { dateFr, euros, roleLabel } from '#src/http/nunjucks/filters.ts';

describe('maskIban', () => {
  it('keeps the country, check digits and last three characters', () => {
    expect(maskIban('FR7630006000011234567890189')).toBe('FR76 •••• •••• •••• •••• •••• 189');
    expect(maskIban('fr76 3000 6000 0112 3456 7890 189')).toBe('FR76 •••• •••• •••• •••• •••• 189');
  });
  it('hides a too-short value entirely', () => {
    expect(maskIban('FR76')).toBe('••••');
  });
});

describe('displayName', () => {
  it('writes the family name in capitals, accents included', () => {
    expect(displayName('Isabelle', 'Lefèvre')).toBe('Isabelle LEFÈVRE');
    expect(displayName('Léa', 'de la Tour')).toBe('Léa DE LA TOUR');
  });
});

describe('view filters', () => {
  it('formats dates and amounts the French way', () => {
    expect(dateFr('2010-05-14')).toBe('14 mai 2010');
    expect(dateFr('pas une date')).toBe('');
    expect(euros(15105).replace(/\s/g, ' ')).toBe('151,05 €');
    expect(roleLabel('conjoint')).toBe('Conjoint(e)');
  });
});

describe('form errors', () => {
  const schema = z.object({ a: z.string().min(1, 'A manque'), b: z.string().min(1, 'B manque') });

  it('gives one message per field and a summary in page order', () => {
    const r = schema.safeParse({ a: '', b: '' });
    expect(r.success).toBe(false);
    if (r.success) return;
    const errors = formErrors(r.error, ['b', 'a']);
    expect(errors.fields.a).toEqual({ text: 'A manque', href: '#a' });
    expect(errors.summary.map((e) => e.text)).toEqual(['B manque', 'A manque']);
  });

  it('builds a single-field error', () => {
    expect(fieldError('password', 'Non')).toEqual({
      fields: { password: { text: 'Non', href: '#password' } },
      summary: [{ text: 'Non', href: '#password' }],
    });
  });

  it('keeps only the named string fields of a body, never the password', () => {
    expect(formValues({ nir: '1', password: 'secret', n: 3 }, ['nir', 'n'])).toEqual({ nir: '1' });
    expect(formValues(null, ['nir'])).toEqual({});
  });
});
