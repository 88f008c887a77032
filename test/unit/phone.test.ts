import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#src/config.ts';
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

  it('configuration: the seed documents’ cut-off by default, a date or nothing, a long token', () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const base = { NODE_ENV: 'test', SESSION_KEYS: key };
    expect(loadConfig(base).phone).toEqual({
      voiceServerToken: undefined,
      legacyPasswordCutoff: '2022-03-31',
    });
    expect(
      loadConfig({ ...base, PHONE_LEGACY_PASSWORD_CUTOFF: '2022-06-30' }).phone
        .legacyPasswordCutoff,
    ).toBe('2022-06-30');
    expect(() => loadConfig({ ...base, PHONE_LEGACY_PASSWORD_CUTOFF: '31/03/2022' })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ ...base, VOICE_SERVER_TOKEN: 'court' })).toThrow(
      /VOICE_SERVER_TOKEN/,
    );
  });
});
