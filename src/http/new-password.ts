import { z } from 'zod';
import { passwordProblemMessage, type PasswordProblem } from '#src/domain/password-policy.ts';
import { fieldError, type FormErrors } from './forms.ts';

/** The "choose a password" field shared by first connection and recovery. */
export const newPasswordForm = z.object({
  password: z
    .string({ error: 'Saisissez un mot de passe.' })
    .min(1, 'Saisissez un mot de passe.')
    .max(128, 'Votre mot de passe doit contenir au plus 24 caractères.'),
});

export function policyErrors(problems: readonly PasswordProblem[]): FormErrors {
  return fieldError('password', problems.map((p) => passwordProblemMessage(p)).join(' '));
}
