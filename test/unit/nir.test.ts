import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeNirKey,
  formatNir,
  makeNir,
  nirErrorMessage,
  nirMatchesIdentity,
  normalizeNirInput,
  parseNir,
  type Nir,
  type NirError,
  type NirParseResult,
} from '../../src/domain/nir.ts';

const ALL_ERRORS: readonly NirError[] = [
  'empty',
  'length',
  'characters',
  'sex',
  'temporary',
  'month',
  'department',
  'order',
  'key',
];

function expectNir(result: NirParseResult): Nir {
  if (!result.ok) throw new Error(`expected a valid NIR, got error '${result.error}'`);
  return result.nir;
}

function expectError(input: string, error: NirError): void {
  expect(parseNir(input)).toEqual({ ok: false, error });
}

describe('normalizeNirInput', () => {
  it('removes every kind of whitespace and uppercases', () => {
    expect(normalizeNirInput(' 1 85 07 2a 004\t012\u00a005 ')).toBe('185072A00401205');
    expect(normalizeNirInput('\n')).toBe('');
  });
});

describe('computeNirKey', () => {
  it('computes the key of a metropolitan NIR', () => {
    // 2850375112123 = 97 × 29385310434 + 25  →  key = 97 − 25 = 72
    expect(computeNirKey('2850375112123')).toBe('72');
  });

  it('counts 2A as 19 and 2B as 18 (reference values from python-stdnum)', () => {
    // 2A → 2530719073004 = 97 × 26089887350 + 54  →  key = 97 − 54 = 43
    expect(computeNirKey('253072A073004')).toBe('43');
    // 2B → 2530718073004 = 97 × 26089877041 + 27  →  key = 97 − 27 = 70
    expect(computeNirKey('253072B073004')).toBe('70');
  });

  it('zero-pads keys below 10', () => {
    // 2A → 19: 1850719004012 mod 97 = 92  →  key = 97 − 92 = 5
    expect(computeNirKey('185072A004012')).toBe('05');
  });

  it('yields 97 (never 00) when the number is a multiple of 97', () => {
    // 1000000000047 = 97 × 10309278351 + 0  →  key = 97 − 0 = 97
    expect(computeNirKey('1000000000047')).toBe('97');
  });

  it('throws on malformed input', () => {
    for (const bad of [
      '',
      '285037511212',
      '28503751121234',
      '285037511212X',
      '185072C004012',
      '185072a004012',
      '1850 75112123',
    ]) {
      expect(() => computeNirKey(bad)).toThrow(RangeError);
    }
  });
});

describe('parseNir — valid numbers', () => {
  it('parses a metropolitan NIR without key (13 characters)', () => {
    const nir = expectNir(parseNir('2850375112123'));
    expect(nir).toEqual({
      value: '2850375112123',
      sex: 2,
      birthYear2: 85,
      birthMonth: 3,
      department: '75',
      commune: '112',
      order: '123',
      key: '72',
    });
  });

  it('accepts a 15-character NIR whose key is right, with spaces', () => {
    expect(expectNir(parseNir('2 85 03 75 112 123 72')).value).toBe('2850375112123');
    expect(expectNir(parseNir('  285037511212372  ')).key).toBe('72');
  });

  it('rejects a 15-character NIR whose key is wrong', () => {
    expectError('2 85 03 75 112 123 73', 'key');
    expectError('285037511212327', 'key');
    expectError('285037511212300', 'key');
  });

  it('parses Corsica 2A and 2B, in upper or lower case', () => {
    const a = expectNir(parseNir('2 53 07 2A 073 004 43'));
    expect(a.department).toBe('2A');
    expect(a.commune).toBe('073');
    expect(a.value).toBe('253072A073004');
    const b = expectNir(parseNir('2 53 07 2b 073 004 70'));
    expect(b.department).toBe('2B');
    expect(b.key).toBe('70');
    // Swapping the keys of 2A and 2B must fail: the substitution really changes the key.
    expectError('253072A07300470', 'key');
    expectError('253072B07300443', 'key');
  });

  it('accepts department 20 (Corsica before 1976) and 96 (Tunisia before 1962)', () => {
    const corsica = expectNir(parseNir('1 52 04 20 004 012'));
    expect(corsica.department).toBe('20');
    expect(corsica.commune).toBe('004');
    // 2850396112123 = 97 × 29385526929 + 10 → key 87
    const tunisia = expectNir(parseNir('2 85 03 96 112 123 87'));
    expect(tunisia.department).toBe('96');
    expect(tunisia.commune).toBe('112');
  });

  it('parses an overseas NIR: 3-digit department and 2-digit commune', () => {
    // 1850797104123 = 97 × 19080382516 + 71 → key 26
    const nir = expectNir(parseNir('1 85 07 971 04 123 26'));
    expect(nir.department).toBe('971');
    expect(nir.commune).toBe('04');
    expect(nir.order).toBe('123');
    // 1850798712045 = 97 × 19080399093 + 24 → key 73
    const polynesia = expectNir(parseNir('1 85 07 987 12 045 73'));
    expect(polynesia.department).toBe('987');
    expect(polynesia.commune).toBe('12');
  });

  it('parses a NIR of a person born abroad: 99 + INSEE country code', () => {
    // python-stdnum reference value: born in Greece (99126)
    const greece = expectNir(parseNir('2 95 10 99 126 111 93'));
    expect(greece.department).toBe('99');
    expect(greece.commune).toBe('126');
    expect(greece.birthMonth).toBe(10);
    // Morocco (99350); 1850799350123 mod 97 = 36 → key 61
    expect(expectNir(parseNir('185079935012361')).commune).toBe('350');
  });

  it('maps the unknown / fictitious month codes to a null birthMonth', () => {
    // 1852075112123 mod 97 = 91 → key 06
    const month20 = expectNir(parseNir('1 85 20 75 112 123 06'));
    expect(month20.birthMonth).toBeNull();
    expect(month20.department).toBe('75');
    for (const code of ['20', '30', '35', '42', '50', '75', '99']) {
      const nir = expectNir(parseNir(`1 85 ${code} 75 112 123`));
      expect(nir.birthMonth).toBeNull();
      expect(nir.value.slice(3, 5)).toBe(code);
    }
  });

  it('accepts every real month', () => {
    for (let month = 1; month <= 12; month++) {
      const code = String(month).padStart(2, '0');
      expect(expectNir(parseNir(`2 00 ${code} 01 001 001`)).birthMonth).toBe(month);
    }
  });
});

describe('parseNir — errors', () => {
  it("'empty' for empty or blank input", () => {
    expectError('', 'empty');
    expectError('   \t\n', 'empty');
  });

  it("'length' when not 13 or 15 characters", () => {
    expectError('1', 'length');
    expectError('285037511212', 'length');
    expectError('28503751121237', 'length');
    expectError('2850375112123720', 'length');
    expectError('2 85 03 75 112', 'length');
  });

  it("'characters' for anything but digits and the 2A/2B department", () => {
    expectError('2850375112l23', 'characters');
    expectError('2-85-03-75-112-123', 'characters');
    expectError('2.85.03.75.112.123.72', 'characters');
    expectError('285037511212X', 'characters');
    expectError('28503751121237A', 'characters');
    expectError('185072C004012', 'characters');
    expectError('1A5072A004012', 'characters');
    expectError('185073A004012', 'characters');
    expectError('18507200A4012', 'characters');
    expectError('1850375112１23', 'characters'); // full-width digit
  });

  it("'sex' when the first digit is not 1, 2, 7 or 8", () => {
    for (const first of ['0', '3', '4', '5', '6', '9']) {
      expectError(`${first}850375112123`, 'sex');
    }
  });

  it("'temporary' for NIA numbers starting with 7 or 8", () => {
    expectError('7850375112123', 'temporary');
    expectError('8 85 03 75 112 123', 'temporary');
  });

  it("'month' for month codes that are neither real nor unknown-month codes", () => {
    for (const code of ['00', '13', '15', '19', '21', '25', '29', '43', '49']) {
      expectError(`1 85 ${code} 75 112 123`, 'month');
    }
  });

  it("'department' for an invalid birthplace", () => {
    expectError('1 85 03 00 112 123', 'department'); // department 00
    expectError('1 85 03 75 000 123', 'department'); // commune 000
    expectError('1 85 03 75 991 123', 'department'); // commune above 990
    expectError('1 85 03 2A 000 123', 'department');
    expectError('1 85 03 970 12 123', 'department'); // overseas department 970
    expectError('1 85 03 979 12 123', 'department'); // overseas department 979
    expectError('1 85 03 971 00 123', 'department'); // overseas commune 00
    expectError('1 85 03 986 00 123', 'department');
    expectError('1 85 03 99 000 123', 'department'); // country 000
    expectError('1 85 03 99 991 123', 'department'); // country above 990
  });

  it("'order' for order number 000", () => {
    expectError('1 85 03 75 112 000', 'order');
  });
});

describe('formatNir', () => {
  it('groups the parts with spaces, key included', () => {
    expect(formatNir(expectNir(parseNir('285037511212372')))).toBe('2 85 03 75 112 123 72');
    expect(formatNir(expectNir(parseNir('185072a004012')))).toBe('1 85 07 2A 004 012 05');
    expect(formatNir(expectNir(parseNir('1850797104123')))).toBe('1 85 07 971 04 123 26');
    expect(formatNir(expectNir(parseNir('2010120001001')))).toBe('2 01 01 20 001 001 72');
  });
});

describe('nirErrorMessage', () => {
  it('returns the expected French messages', () => {
    expect(nirErrorMessage('length')).toBe(
      'Le numéro de sécurité sociale doit comporter 13 caractères (ou 15 avec la clé).',
    );
    expect(nirErrorMessage('temporary')).toBe(
      "Ce numéro est un numéro provisoire d'attente : utilisez « J'ai un identifiant provisoire » pour vous connecter.",
    );
    expect(nirErrorMessage('key')).toBe(
      'La clé du numéro de sécurité sociale ne correspond pas. Vérifiez les 15 caractères saisis.',
    );
  });

  it('has a distinct, non-empty message for every error, never about existence', () => {
    const messages = ALL_ERRORS.map(nirErrorMessage);
    expect(new Set(messages).size).toBe(ALL_ERRORS.length);
    for (const message of messages) {
      expect(message.length).toBeGreaterThan(10);
      expect(message).not.toMatch(/exist|inconnu|introuvable|aucun compte|déjà/i);
    }
  });
});

describe('nirMatchesIdentity', () => {
  const nir = expectNir(parseNir('2850375112123'));

  it('matches sex, 2-digit year and month', () => {
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '1985-03-14' })).toBe(true);
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '2085-03-01' })).toBe(true);
  });

  it('rejects a different sex, year or month', () => {
    expect(nirMatchesIdentity(nir, { sex: 1, birthdate: '1985-03-14' })).toBe(false);
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '1986-03-14' })).toBe(false);
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '1985-04-14' })).toBe(false);
  });

  it('ignores the month when the NIR has an unknown-month code', () => {
    const unknown = expectNir(parseNir('2854275112123'));
    expect(unknown.birthMonth).toBeNull();
    expect(nirMatchesIdentity(unknown, { sex: 2, birthdate: '1985-11-30' })).toBe(true);
    expect(nirMatchesIdentity(unknown, { sex: 2, birthdate: '1984-11-30' })).toBe(false);
  });

  it('rejects a malformed birthdate', () => {
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '14/03/1985' })).toBe(false);
    expect(nirMatchesIdentity(nir, { sex: 2, birthdate: '' })).toBe(false);
  });
});

describe('makeNir', () => {
  it('builds a valid NIR from its parts', () => {
    const nir = makeNir({
      sex: 2,
      birthYear: 1985,
      birthMonth: 3,
      department: '75',
      commune: '112',
      order: 123,
    });
    expect(nir.value).toBe('2850375112123');
    expect(nir.key).toBe('72');
    expect(
      makeNir({
        sex: 1,
        birthYear: 2003,
        birthMonth: 12,
        department: '2a',
        commune: '004',
        order: 7,
      }).value,
    ).toBe('103122A004007');
    expect(
      makeNir({
        sex: 1,
        birthYear: 1985,
        birthMonth: 7,
        department: '971',
        commune: '04',
        order: 123,
      }).key,
    ).toBe('26');
  });

  it('throws when the parts cannot form a valid NIR', () => {
    const base: Parameters<typeof makeNir>[0] = {
      sex: 1,
      birthYear: 1985,
      birthMonth: 7,
      department: '75',
      commune: '112',
      order: 1,
    };
    expect(() => makeNir({ ...base, order: 0 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, order: 1000 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, order: 1.5 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, birthMonth: 13 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, birthMonth: 0 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, birthYear: -1 })).toThrow(RangeError);
    expect(() => makeNir({ ...base, department: '00' })).toThrow(RangeError);
    expect(() => makeNir({ ...base, commune: '000' })).toThrow(RangeError);
    expect(() => makeNir({ ...base, commune: '1120' })).toThrow(RangeError);
    expect(() => makeNir({ ...base, commune: '11212' })).toThrow(RangeError);
    // "97" + "104" would read back as 971 + 04: a different birthplace.
    expect(() => makeNir({ ...base, department: '97', commune: '104' })).toThrow(RangeError);
    expect(() => makeNir({ ...base, department: '971', commune: '004' })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------
// Property-based tests
// ---------------------------------------------------------------------------

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const sexArb: fc.Arbitrary<1 | 2> = fc.constantFrom(1, 2);
const birthYearArb = fc.integer({ min: 1900, max: 2099 });
const birthMonthArb = fc.oneof(
  fc.integer({ min: 1, max: 12 }),
  fc.constant(20),
  fc.integer({ min: 30, max: 42 }),
  fc.integer({ min: 50, max: 99 }),
);
const birthplaceArb: fc.Arbitrary<{ department: string; commune: string }> = fc.oneof(
  fc.record({
    department: fc.oneof(
      fc.integer({ min: 1, max: 96 }).map((d) => pad(d, 2)),
      fc.constantFrom('2A', '2B'),
    ),
    commune: fc.integer({ min: 1, max: 990 }).map((c) => pad(c, 3)),
  }),
  fc.record({
    department: fc
      .oneof(fc.integer({ min: 971, max: 978 }), fc.integer({ min: 980, max: 989 }))
      .map(String),
    commune: fc.integer({ min: 1, max: 99 }).map((c) => pad(c, 2)),
  }),
  fc.record({
    department: fc.constant('99'),
    commune: fc.integer({ min: 1, max: 990 }).map((c) => pad(c, 3)),
  }),
);
const partsArb = fc
  .record({
    sex: sexArb,
    birthYear: birthYearArb,
    birthMonth: birthMonthArb,
    birthplace: birthplaceArb,
    order: fc.integer({ min: 1, max: 999 }),
  })
  .map(({ birthplace, ...rest }) => ({ ...rest, ...birthplace }));

describe('NIR properties', () => {
  it('makeNir → formatNir → parseNir round-trips to the same value and key', () => {
    fc.assert(
      fc.property(partsArb, (parts) => {
        const nir = makeNir(parts);
        const formatted = formatNir(nir);
        const reparsed = expectNir(parseNir(formatted));
        expect(reparsed).toEqual(nir);
        expect(reparsed.value).toBe(nir.value);
        expect(reparsed.key).toBe(nir.key);
        expect(formatted.replace(/ /g, '')).toBe(nir.value + nir.key);
        // Same result with the key left off and in lower case.
        expect(expectNir(parseNir(nir.value.toLowerCase()))).toEqual(nir);
      }),
      { numRuns: 500 },
    );
  });

  it('any single-digit substitution in a valid 15-character NIR is rejected', () => {
    fc.assert(
      fc.property(partsArb, fc.nat(), fc.integer({ min: 1, max: 9 }), (parts, position, delta) => {
        const nir = makeNir(parts);
        const full = nir.value + nir.key;
        // 2A/2B letters are not digits: only digit positions are substituted.
        const digitPositions = Array.from(full.matchAll(/[0-9]/g), (m) => m.index);
        const index = digitPositions[position % digitPositions.length] ?? 0;
        const digit = Number(full.charAt(index));
        const mutated = full.slice(0, index) + String((digit + delta) % 10) + full.slice(index + 1);
        expect(mutated).not.toBe(full);
        const result = parseNir(mutated);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseNir never throws on arbitrary strings and reports a known error', () => {
    const check = (input: string): void => {
      const result = parseNir(input);
      if (result.ok) {
        // Only possible for a genuinely well-formed number.
        expect(result.nir.value).toMatch(/^[12][0-9]{4}(?:[0-9]{2}|2A|2B)[0-9]{6}$/);
      } else {
        expect(ALL_ERRORS).toContain(result.error);
      }
    };
    fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.stringMatching(/^[0-9 ]{0,20}$/), check), { numRuns: 500 });
  });

  it('parseNir returns ok:false for any string containing a forbidden character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (before, after) => {
        expect(parseNir(`${before}#${after}`)).toEqual({ ok: false, error: 'characters' });
      }),
      { numRuns: 500 },
    );
  });

  it('nirMatchesIdentity is true for the identity the NIR was generated from', () => {
    fc.assert(
      fc.property(
        partsArb,
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (parts, anyMonth, day) => {
          const nir = makeNir(parts);
          const month = parts.birthMonth <= 12 ? parts.birthMonth : anyMonth;
          const birthdate = `${pad(parts.birthYear, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect(nirMatchesIdentity(nir, { sex: parts.sex, birthdate })).toBe(true);
          const otherSex = parts.sex === 1 ? 2 : 1;
          expect(nirMatchesIdentity(nir, { sex: otherSex, birthdate })).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
