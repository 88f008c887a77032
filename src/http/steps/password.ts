import { z } from 'zod';
import { passwordProblemMessage, type PasswordProblem } from '#src/domain/password-policy.ts';
import { fieldError, type FormErrors } from '../forms.ts';

/**
 * The longest password a form accepts: a bound on argon2's input, not the policy (8 to 24
 * characters, src/domain/password-policy.ts), which services check on new passwords.
 */
export const PASSWORD_INPUT_MAX = 128;

/** The password of an existing account (login, FranceConnect link): any length the policy ever allowed. */
export const currentPassword = z
  .string({ error: 'Saisissez votre mot de passe.' })
  .min(1, 'Saisissez votre mot de passe.')
  .max(PASSWORD_INPUT_MAX, 'Le mot de passe ne peut pas dépasser 128 caractères.');

/**
 * "Choose a password" (first connection, recovery, account creation). Past the input bound the
 * password breaks the policy's maximum too, so the person reads the policy's own words.
 */
export const newPasswordForm = z.object({
  password: z
    .string({ error: 'Saisissez un mot de passe.' })
    .min(1, 'Saisissez un mot de passe.')
    .max(PASSWORD_INPUT_MAX, passwordProblemMessage('too-long')),
});

/** What the service found wrong with a new password: one message, or one bullet per broken rule. */
export function policyErrors(problems: readonly PasswordProblem[]): FormErrors {
  const messages = problems.map((p) => passwordProblemMessage(p));
  const [only] = messages;
  if (only !== undefined && messages.length === 1) return fieldError('password', only);
  return fieldError('password', 'Votre mot de passe ne respecte pas ces règles :', messages);
}
