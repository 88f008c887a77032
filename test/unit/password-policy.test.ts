import { describe, expect, it } from 'vitest';
import { passwordProblemMessage, passwordProblems } from '#src/domain/password-policy.ts';

const owner = { nir: '2850375114123', birthdate: '1985-03-12' };

describe('password policy', () => {
  it('accepts 8 to 24 characters with a lowercase, an uppercase and a digit', () => {
    expect(passwordProblems('Lilas-Paris-2026', owner, null)).toEqual([]);
    expect(passwordProblems('Abcdefg1', owner, null)).toEqual([]);
    expect(passwordProblems('Abcdefghijklmnopqrstuvw1', owner, null)).toEqual([]);
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
    expect(passwordProblems(password, owner, null)).toContain(problem);
  });

  it('counts characters, not UTF-16 units, and accepts accented letters', () => {
    expect(passwordProblems('Éléphant9', owner, null)).toEqual([]);
  });

  it('refuses a password scored under 3, with its feedback, once the floor is met', () => {
    const weak = { score: 2, feedback: ['Ajoutez des mots moins courants.'] };
    expect(passwordProblems('Password1', owner, weak)).toEqual([
      { kind: 'weak', feedback: ['Ajoutez des mots moins courants.'] },
    ]);
    expect(passwordProblems('Password1', owner, { score: 3, feedback: [] })).toEqual([]);
    expect(passwordProblems('password', owner, weak)).toEqual(['uppercase', 'digit']);
  });

  it('has a French message for each problem', () => {
    expect(passwordProblemMessage('uppercase')).toBe(
      'Votre mot de passe doit contenir au moins 1 lettre majuscule.',
    );
    expect(passwordProblemMessage('too-short')).toMatch(/au moins 8 caractères/);
    expect(passwordProblemMessage({ kind: 'weak', feedback: ['Évitez les dates.'] })).toBe(
      'Ce mot de passe est trop facile à deviner. Évitez les dates.',
    );
  });
});
