import { describe, expect, it } from 'vitest';
import { ownerWords } from '#src/domain/password-policy.ts';
import { demoPersonas } from '#src/seed/demo.ts';
import { newPasswordProblems } from '#src/services/passwords.ts';

const camille = {
  nir: '2850375114123',
  birthdate: '1985-03-12',
  givenNames: 'Camille Andrée',
  familyName: 'Martin',
  email: 'camille.martin@example.fr',
};

describe('password strength (zxcvbn, French and common dictionaries)', () => {
  it.each(['Motdepasse1', 'Azerty123', 'Soleil123', 'Bonjour1', '1Passwor', 'Password1'])(
    'refuses %j, common in French or English, with French advice',
    (password) => {
      const [problem, ...rest] = newPasswordProblems(password, camille);
      expect(rest).toEqual([]);
      expect(problem).toMatchObject({ kind: 'weak' });
      expect(typeof problem === 'object' && problem.feedback.join(' ')).toMatch(
        /Ajoutez des mots moins courants/,
      );
    },
  );

  it.each(['Camille1985', 'Martin1985', 'Andree1985'])(
    'refuses %j, made of the person’s own data',
    (password) => {
      expect(newPasswordProblems(password, camille)).toEqual([
        expect.objectContaining({ kind: 'weak' }),
      ]);
    },
  );

  it('lists the person’s own data as guessable words', () => {
    expect(ownerWords(camille)).toEqual(
      expect.arrayContaining(['Camille', 'Andrée', 'Martin', 'camille', '2850375114123', '1985']),
    );
  });

  it.each(['Lilas-Paris-2026', 'Tartine-Velo-Nuage7', 'Corderie-13-Mer'])('accepts %j', (p) => {
    expect(newPasswordProblems(p, camille)).toEqual([]);
  });

  it('still accepts every demo persona’s password', () => {
    const personas = demoPersonas().filter((m) => m.password);
    expect(personas.length).toBeGreaterThan(3);
    for (const m of personas) {
      const owner = { ...m, givenNames: m.givenName };
      expect([m.givenName, newPasswordProblems(m.password ?? '', owner)]).toEqual([
        m.givenName,
        [],
      ]);
    }
  });
});
