import { z } from 'zod';
import { nirMatchesIdentity, type Nir } from '#src/domain/nir.ts';
import { birthdateField, nirField } from '../../fields.ts';

const NAME = /^[\p{L}][\p{L}\p{M}' ’-]*$/u;

function nameField(messages: { empty: string; tooLong: string; characters: string }) {
  return z
    .string({ error: messages.empty })
    .trim()
    .transform((v) => v.replace(/\s+/g, ' '))
    .pipe(
      z.string().min(1, messages.empty).max(100, messages.tooLong).regex(NAME, messages.characters),
    );
}

/** Why a typed identity does not fit the NIR, by field; null when it does. */
export function identityMismatch(nir: Nir, birthdate: string): string | null {
  if (nirMatchesIdentity(nir, { sex: nir.sex, birthdate })) return null;
  const [year = '', month = ''] = birthdate.split('-');
  if (Number(year) % 100 !== nir.birthYear2)
    return 'L’année de naissance ne correspond pas à votre numéro de sécurité sociale (2e et 3e chiffres). Vérifiez votre date de naissance et votre numéro.';
  if (nir.birthMonth !== null && nir.birthMonth !== Number(month))
    return 'Le mois de naissance ne correspond pas à votre numéro de sécurité sociale (4e et 5e chiffres). Vérifiez votre date de naissance et votre numéro.';
  return 'Votre date de naissance ne correspond pas à votre numéro de sécurité sociale.';
}

/** Step 1: who the person is. The sex is read from the NIR (its 1st digit). */
export const identityForm = z.object({
  nir: nirField,
  nomNaissance: nameField({
    empty: 'Saisissez votre nom de naissance.',
    tooLong: 'Le nom de naissance ne peut pas dépasser 100 caractères.',
    characters:
      'Le nom de naissance ne peut contenir que des lettres, des espaces, des tirets et des apostrophes.',
  }),
  prenoms: nameField({
    empty: 'Saisissez votre ou vos prénoms.',
    tooLong: 'Les prénoms ne peuvent pas dépasser 100 caractères.',
    characters:
      'Les prénoms ne peuvent contenir que des lettres, des espaces, des tirets et des apostrophes.',
  }),
  dateNaissance: birthdateField,
});

export const IDENTITY_FIELDS = ['nir', 'nomNaissance', 'prenoms', 'dateNaissance'] as const;
