import { fieldError, type FormErrors } from '../forms.ts';
import { retryTime } from '../format.ts';

/** The one wording of every throttled attempt (password, code, recovery, activation, creation). */
export function throttledMessage(retryAt: Date): string {
  return `Trop de tentatives. Par sécurité, réessayez à partir de ${retryTime(retryAt)}.`;
}

/** The throttled reply of a form: 429, the message under `field`, the page re-rendered. */
export function throttled(field: string, retryAt: Date): { status: 429; errors: FormErrors } {
  return { status: 429, errors: fieldError(field, throttledMessage(retryAt)) };
}
