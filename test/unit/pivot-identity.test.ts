import { describe, expect, it } from 'vitest';
import { makeNir, parseNir } from '#src/domain/nir.ts';
import {
  birthplaceMatchesNir,
  matchPivotIdentity,
  normalizeName,
  type IdentityCandidate,
  type PivotIdentity,
} from '#src/franceconnect/pivot-identity.ts';

const camilleNir = makeNir({
  sex: 2,
  birthYear: 1985,
  birthMonth: 3,
  department: '75',
  commune: '114',
  order: 123,
}).value;

const camille: IdentityCandidate = {
  id: 'p-camille',
  nir: camilleNir,
  givenName: 'Camille',
  familyName: 'Martin',
  birthName: 'Martin',
  sex: 2,
  birthdate: '1985-03-12',
};

const identity: PivotIdentity = {
  sub: 'abc',
  given_name: 'Camille Marie',
  family_name: 'MARTIN',
  birthdate: '1985-03-12',
  gender: 'female',
  birthplace: '75114',
  birthcountry: '99100',
};

function nir(value: string) {
  const parsed = parseNir(value);
  if (!parsed.ok) throw new Error(value);
  return parsed.nir;
}

describe('normalizeName', () => {
  it('ignores accents, case, apostrophes and spacing', () => {
    expect(normalizeName("  Zoé-Anaïs  d'Almeida ")).toBe('ZOE-ANAIS DALMEIDA');
    expect(normalizeName('Inès')).toBe(normalizeName('INES'));
  });
});

describe('matchPivotIdentity', () => {
  it('matches the one person whose names, birth and NIR digits agree', () => {
    expect(matchPivotIdentity(identity, [camille])).toEqual({ kind: 'one', personId: 'p-camille' });
  });

  it('compares the birth name, not the usage name', () => {
    const married = { ...camille, familyName: 'Dupont', birthName: 'Martin' };
    expect(matchPivotIdentity(identity, [married]).kind).toBe('one');
    expect(matchPivotIdentity({ ...identity, family_name: 'DUPONT' }, [married]).kind).toBe('none');
  });

  it.each([
    ['another first given name', { given_name: 'Claire Camille' }],
    ['another birth date', { birthdate: '1985-03-13' }],
    ['another sex', { gender: 'male' as const }],
    ['another birthplace', { birthplace: '75115' }],
    ['a birth abroad', { birthplace: '', birthcountry: '99341' }],
  ])('matches no one with %s', (_what, change) => {
    expect(matchPivotIdentity({ ...identity, ...change }, [camille])).toEqual({ kind: 'none' });
  });

  it('refuses a person whose NIR contradicts the identity (wrong birth month)', () => {
    const wrongNir = makeNir({
      sex: 2,
      birthYear: 1985,
      birthMonth: 4,
      department: '75',
      commune: '114',
      order: 123,
    }).value;
    expect(matchPivotIdentity(identity, [{ ...camille, nir: wrongNir }]).kind).toBe('none');
  });

  it('never matches a person without a NIR', () => {
    expect(matchPivotIdentity(identity, [{ ...camille, nir: null }]).kind).toBe('none');
  });

  it('reports two matching persons as ambiguous, never picking one', () => {
    const twin = {
      ...camille,
      id: 'p-other',
      nir: makeNir({
        sex: 2,
        birthYear: 1985,
        birthMonth: 3,
        department: '75',
        commune: '114',
        order: 124,
      }).value,
    };
    expect(matchPivotIdentity(identity, [camille, twin])).toEqual({ kind: 'ambiguous', count: 2 });
  });
});

describe('birthplaceMatchesNir', () => {
  it('reads the INSEE code of a birth in France from the NIR', () => {
    expect(
      birthplaceMatchesNir(nir('2850375114123'), { birthplace: '75114', birthcountry: '99100' }),
    ).toBe(true);
    expect(
      birthplaceMatchesNir(nir('2920297411257'), { birthplace: '97411', birthcountry: '99100' }),
    ).toBe(true);
    expect(
      birthplaceMatchesNir(nir('290102A004019'), { birthplace: '2A004', birthcountry: '99100' }),
    ).toBe(true);
  });

  it('accepts "20" in the NIR of a person born in Corsica before 1976', () => {
    const old = makeNir({
      sex: 1,
      birthYear: 1960,
      birthMonth: 5,
      department: '20',
      commune: '004',
      order: 12,
    });
    expect(birthplaceMatchesNir(old, { birthplace: '2A004', birthcountry: '99100' })).toBe(true);
  });

  it('reads the country code of a birth abroad', () => {
    const abroad = makeNir({
      sex: 1,
      birthYear: 1995,
      birthMonth: 6,
      department: '99',
      commune: '341',
      order: 1,
    });
    expect(birthplaceMatchesNir(abroad, { birthplace: '', birthcountry: '99341' })).toBe(true);
    expect(birthplaceMatchesNir(abroad, { birthplace: '', birthcountry: '99350' })).toBe(false);
    expect(birthplaceMatchesNir(abroad, { birthplace: '75114', birthcountry: '99100' })).toBe(
      false,
    );
  });
});
