import { describe, expect, it } from 'vitest';
import { nextPaymentDate, parisDay, phoneLegacyPasswordValid } from '#src/domain/phone.ts';

describe('phone channel rules', () => {
  const rule = (migrated: boolean, dossierUntil: string | null, today: string) =>
    phoneLegacyPasswordValid({ migrated, dossierUntil, configuredCutoff: '2022-03-31', today });

  it('the old password answers before the migration, whatever the date', () => {
    expect(rule(false, null, '2030-01-01')).toBe(true);
    expect(rule(false, '2020-01-01', '2030-01-01')).toBe(true);
  });

  it('after the migration, until the cut-off day included; the dossier’s date overrides it', () => {
    expect(rule(true, null, '2022-03-31')).toBe(true);
    expect(rule(true, null, '2022-04-01')).toBe(false);
    expect(rule(true, '2022-06-30', '2022-04-01')).toBe(true);
    expect(rule(true, '2022-01-31', '2022-02-01')).toBe(false);
  });

  it('the next payment is the coming 5th', () => {
    expect(nextPaymentDate('2026-11-04')).toBe('2026-11-05');
    expect(nextPaymentDate('2026-11-05')).toBe('2026-12-05');
    expect(nextPaymentDate('2026-12-23')).toBe('2027-01-05');
  });

  it('counts days in Paris', () => {
    expect(parisDay(new Date('2022-03-31T22:30:00Z'))).toBe('2022-04-01');
    expect(parisDay(new Date('2022-03-31T21:30:00Z'))).toBe('2022-03-31');
  });
});
