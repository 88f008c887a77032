import { z } from 'zod';
import { fieldError, type FormErrors } from '../forms.ts';
import { throttled } from './throttled.ts';

/** The 6-digit code step: first connection, recovery, account creation, strong authentication. */

export const CODE_FAILED =
  'Code incorrect ou expiré. Vérifiez le code reçu ou demandez-en un nouveau.';

/** The hourly limit of codes sent to one person (no retry time: the limit slides). */
export const TOO_MANY_CODES = 'Vous avez demandé trop de codes. Réessayez dans une heure.';

export const codeForm = z.object({
  code: z
    .string({ error: 'Saisissez le code à 6 chiffres reçu.' })
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Le code est composé de 6 chiffres.')),
});

export type CodeRefusal =
  { readonly reason: 'invalid' } | { readonly reason: 'throttled'; readonly retryAt: Date };

/** A code the service refused: wrong or expired (400), or too many tries (429). */
export function codeRefused(check: CodeRefusal): { status: 400 | 429; errors: FormErrors } {
  if (check.reason === 'throttled') return throttled('code', check.retryAt);
  return { status: 400, errors: fieldError('code', CODE_FAILED) };
}
