import { fieldError, type FormErrors } from '../forms.ts';
import { retryTime } from '../format.ts';

/** After a throttled login: the way out that needs no waiting (it also lifts a lock). */
export const FORGOTTEN_PASSWORD_HINT =
  'Vous pouvez aussi choisir un nouveau mot de passe avec « Mot de passe oublié ? ».';

/** The one wording of every throttled attempt (password, code, recovery, activation, creation). */
export function throttledMessage(retryAt: Date): string {
  return `Trop de tentatives. Par sécurité, réessayez à partir de ${retryTime(retryAt)}.`;
}

/** The throttled reply of a form: 429, the message (and a hint) under `field`. */
export function throttled(
  field: string,
  retryAt: Date,
  hint?: string,
): { status: 429; errors: FormErrors } {
  const message = throttledMessage(retryAt) + (hint ? ` ${hint}` : '');
  return { status: 429, errors: fieldError(field, message) };
}
