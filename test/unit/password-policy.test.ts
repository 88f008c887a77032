import { describe, expect, it } from 'vitest';
import { passwordProblemMessage, passwordProblems } from '#src/domain/password-policy.ts';
import { isCommonPassword } from '#src/services/common-passwords.ts';

const owner = { nir: '2850375114123', birthdate: '1985-03-12' };

describe('password policy', () => {
  it('accepts 8 to 24 characters with a lowercase, an uppercase and a digit', () => {
    expect(passwordProblems('Lilas-Paris-2026', owner, false)).toEqual([]);
    expect(passwordProblems('Abcdefg1', owner, false)).toEqual([]);
    expect(passwordProblems('Abcdefghijklmnopqrstuvw1', owner, false)).toEqual([]);
  });

  it.each([
    ['Abcdef1', 'too-short'],
    ['Abcdefghijklmnopqrstuvwx1', 'too-long'],
    ['ABCDEFG1', 'lowercase'],
    ['abcdefg1', 'uppercase'],
    ['Abcdefgh', 'digit'],
    ['Mon2850375Mdp', 'contains-nir'],
    ['Camille12031985', 'contains-birthdate'],
    ['Camille120385x', 'contains-birthdate'],
    ['Camille19850312', 'contains-birthdate'],
  ])('refuses %j (%s)', (password, problem) => {
    expect(passwordProblems(password, owner, false)).toContain(problem);
  });

  it('counts characters, not UTF-16 units, and accepts accented letters', () => {
    expect(passwordProblems('Éléphant9', owner, false)).toEqual([]);
  });

  it('refuses a common password', () => {
    expect(passwordProblems('Password1', owner, true)).toEqual(['common']);
  });

  it('has a French message for each problem', () => {
    expect(passwordProblemMessage('uppercase')).toBe(
      'Votre mot de passe doit contenir au moins 1 lettre majuscule.',
    );
    expect(passwordProblemMessage('too-short')).toMatch(/au moins 8 caractères/);
  });
});

describe('common passwords list', () => {
  it('knows the usual ones, whatever their case', async () => {
    expect(await isCommonPassword('Password1')).toBe(true);
    expect(await isCommonPassword('azerty')).toBe(true);
    expect(await isCommonPassword('Lilas-Paris-2026')).toBe(false);
  });
});
