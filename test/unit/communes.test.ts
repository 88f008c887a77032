import { describe, expect, it } from 'vitest';
import {
  buildCommuneIndex,
  matchCommune,
  normaliseCommune,
  normalisePostcode,
} from '#src/domain/communes.ts';
import { communeIndex } from '#src/services/communes.ts';

const small = buildCommuneIndex([
  { nom: 'Saint-Étienne', codesPostaux: ['42000', '42100'] },
  { nom: 'Sainte-Foy-lès-Lyon', codesPostaux: ['69110'] },
  { nom: "L'Haÿ-les-Roses", codesPostaux: ['94240'] },
  { nom: 'Sulignat', codesPostaux: ['01400'] },
  { nom: 'Châtillon-sur-Chalaronne', codesPostaux: ['01400'] },
  { nom: 'Sulignat', codesPostaux: ['01400'] },
  { nom: 'Sans code' },
]);

describe('normaliseCommune', () => {
  it.each([
    ['Saint-Étienne', 'st etienne'],
    ['Saint-Étienne', 'SAINT ETIENNE'],
    ['Sainte-Foy-lès-Lyon', 'ste foy les lyon'],
    ["L'Haÿ-les-Roses", 'l’hay les roses'],
    ['Châtillon-sur-Chalaronne', ' chatillon  sur chalaronne '],
  ])('%s and « %s » are the same commune', (official, typed) => {
    expect(normaliseCommune(typed)).toBe(normaliseCommune(official));
  });

  it('keeps different communes apart', () => {
    expect(normaliseCommune('Saint-Étienne')).not.toBe(normaliseCommune('Sainte-Étienne'));
    expect(normaliseCommune('Lyon')).not.toBe(normaliseCommune('Lyons-la-Forêt'));
  });
});

describe('normalisePostcode', () => {
  it('reads five digits, spaces allowed, and nothing else', () => {
    expect(normalisePostcode('69 001')).toBe('69001');
    expect(normalisePostcode('01400')).toBe('01400');
    expect(normalisePostcode('6900')).toBeNull();
    expect(normalisePostcode('690011')).toBeNull();
    expect(normalisePostcode('2A004')).toBeNull();
  });
});

describe('buildCommuneIndex', () => {
  it('lists each postal code’s communes once, in French order, and skips entries without one', () => {
    expect(small.get('01400')).toEqual(['Châtillon-sur-Chalaronne', 'Sulignat']);
    expect(small.get('42100')).toEqual(['Saint-Étienne']);
    expect([...small.values()].flat()).not.toContain('Sans code');
  });
});

describe('matchCommune', () => {
  it('answers the official name for a typed one of the postal code', () => {
    expect(matchCommune(small, '42000', 'st-etienne')).toEqual({
      ok: true,
      commune: 'Saint-Étienne',
    });
    expect(matchCommune(small, '01400', 'SULIGNAT')).toEqual({ ok: true, commune: 'Sulignat' });
  });

  it('fills the only commune of a postal code when none is typed', () => {
    expect(matchCommune(small, '94240', '')).toEqual({ ok: true, commune: "L'Haÿ-les-Roses" });
  });

  it('asks to choose when the postal code has several communes and none is typed', () => {
    expect(matchCommune(small, '01400', '  ')).toEqual({
      ok: false,
      reason: 'choose',
      choices: ['Châtillon-sur-Chalaronne', 'Sulignat'],
    });
  });

  it('refuses a commune of another postal code, with the right choices', () => {
    expect(matchCommune(small, '42000', 'Sulignat')).toEqual({
      ok: false,
      reason: 'mismatch',
      choices: ['Saint-Étienne'],
    });
  });

  it('refuses an unknown postal code', () => {
    expect(matchCommune(small, '99999', 'Lyon')).toEqual({
      ok: false,
      reason: 'unknown-postcode',
    });
  });
});

describe('the official list (@etalab/decoupage-administratif, read from disk)', () => {
  it('knows the postal codes of the big cities and of shared postal codes', () => {
    const index = communeIndex();
    expect(index.size).toBeGreaterThan(6000);
    expect(matchCommune(index, '75011', 'paris')).toEqual({ ok: true, commune: 'Paris' });
    expect(matchCommune(index, '13012', 'MARSEILLE')).toEqual({ ok: true, commune: 'Marseille' });
    expect(matchCommune(index, '97400', 'saint denis')).toEqual({
      ok: true,
      commune: 'Saint-Denis',
    });
    const shared = matchCommune(index, '01400', '');
    expect(shared.ok).toBe(false);
    expect(!shared.ok && shared.reason === 'choose' && shared.choices.length).toBeGreaterThan(5);
    expect(communeIndex()).toBe(index);
  });
});
