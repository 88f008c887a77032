import { describe, expect, it } from 'vitest';
import { defaultPasswordPolicy } from '#src/domain/password-policy.ts';
import { retryTime } from '#src/http/format.ts';
import { CODE_FAILED, codeForm, codeRefused } from '#src/http/steps/code.ts';
import { contactForm } from '#src/http/steps/contact.ts';
import {
  currentPassword,
  newPasswordForm,
  PASSWORD_INPUT_MAX,
  policyErrors,
} from '#src/http/steps/password.ts';
import { FORGOTTEN_PASSWORD_HINT, throttled, throttledMessage } from '#src/http/steps/throttled.ts';

// 14:05 in Paris in winter (UTC+1).
const at = new Date('2026-01-15T13:05:00Z');

describe('retryTime', () => {
  it('writes a French hour in Paris time', () => {
    expect(retryTime(at)).toBe('14 h 05');
    expect(retryTime(new Date('2026-07-15T07:09:00Z'))).toBe('9 h 09');
    expect(retryTime(new Date('2026-01-15T23:04:00Z'))).toBe('0 h 04');
  });
});

describe('the throttled reply', () => {
  it('has one wording, with the time to try again', () => {
    expect(throttledMessage(at)).toBe(
      'Trop de tentatives. Par sécurité, réessayez à partir de 14 h 05.',
    );
  });
  it('answers 429 under the field, with an optional hint', () => {
    const plain = throttled('code', at);
    expect(plain.status).toBe(429);
    expect(plain.errors.fields.code?.text).toBe(throttledMessage(at));
    const hinted = throttled('password', at, FORGOTTEN_PASSWORD_HINT);
    expect(hinted.errors.summary).toEqual([
      { text: `${throttledMessage(at)} ${FORGOTTEN_PASSWORD_HINT}`, href: '#password' },
    ]);
  });
});

describe('the code step', () => {
  it('accepts six digits, spaces ignored', () => {
    expect(codeForm.parse({ code: '123 456' })).toEqual({ code: '123456' });
    expect(codeForm.safeParse({ code: '12345' }).success).toBe(false);
  });
  it('refuses a wrong code with 400 and too many with 429', () => {
    expect(codeRefused({ reason: 'invalid' })).toEqual({
      status: 400,
      errors: {
        fields: { code: { text: CODE_FAILED, href: '#code' } },
        summary: [{ text: CODE_FAILED, href: '#code' }],
      },
    });
    expect(codeRefused({ reason: 'throttled', retryAt: at }).status).toBe(429);
  });
});

describe('the contact step', () => {
  it('normalizes an e-mail address and a mobile number', () => {
    expect(contactForm.parse({ channel: 'email', email: ' Nom@Exemple.FR ' })).toEqual({
      channel: 'email',
      destination: 'nom@exemple.fr',
    });
    expect(contactForm.parse({ channel: 'sms', phone: '+33 6 12 34 56 78' })).toEqual({
      channel: 'sms',
      destination: '06 12 34 56 78',
    });
  });
  it('refuses a landline', () => {
    expect(contactForm.safeParse({ channel: 'sms', phone: '01 23 45 67 89' }).success).toBe(false);
  });
});

describe('the password steps', () => {
  it('bound the input at 128 characters', () => {
    expect(currentPassword.safeParse('a'.repeat(PASSWORD_INPUT_MAX)).success).toBe(true);
    expect(currentPassword.safeParse('a'.repeat(PASSWORD_INPUT_MAX + 1)).success).toBe(false);
  });
  it('give an over-long new password the policy’s own maximum, not the input bound', () => {
    const parsed = newPasswordForm.safeParse({ password: 'a'.repeat(PASSWORD_INPUT_MAX + 1) });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe(
      `Votre mot de passe doit contenir au plus ${defaultPasswordPolicy.maxLength} caractères.`,
    );
  });
  it('give one bullet per broken rule under the field, and in the summary', () => {
    const errors = policyErrors(['too-short', 'digit']);
    expect(errors.fields.password).toEqual({
      text: 'Votre mot de passe ne respecte pas ces règles :',
      href: '#password',
      items: [
        'Votre mot de passe doit contenir au moins 8 caractères.',
        'Votre mot de passe doit contenir au moins 1 chiffre.',
      ],
    });
    expect(errors.summary).toEqual([errors.fields.password]);
  });
  it('give a single broken rule as the message itself', () => {
    expect(policyErrors(['digit']).fields.password).toEqual({
      text: 'Votre mot de passe doit contenir au moins 1 chiffre.',
      href: '#password',
    });
  });
});
