import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '#src/config.ts';

const key = Buffer.alloc(32, 1).toString('base64');

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ SESSION_KEYS: key });
    expect(c.port).toBe(3000);
    expect(c.env).toBe('development');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.session.idleMs).toBe(30 * 60_000);
    expect(c.session.absoluteMs).toBe(12 * 3_600_000);
    expect(c.argon2).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(c.secureCookies).toBe(false);
  });

  it('asks new devices for a code in production only, unless NEW_DEVICE_CODE says otherwise', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a@b/c',
      SESSION_KEYS: key,
      SMTP_URL: 'smtps://relais.example.fr:465',
      PUBLIC_URL: 'https://moncompte.example.fr',
    };
    expect(loadConfig(production).devices.newDeviceCode).toBe(true);
    expect(loadConfig({ SESSION_KEYS: key }).devices.newDeviceCode).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', SESSION_KEYS: key }).devices.newDeviceCode).toBe(false);
    expect(loadConfig({ ...production, NEW_DEVICE_CODE: 'off' }).devices.newDeviceCode).toBe(false);
    expect(loadConfig({ SESSION_KEYS: key, NEW_DEVICE_CODE: 'on' }).devices.newDeviceCode).toBe(
      true,
    );
    expect(() => loadConfig({ SESSION_KEYS: key, NEW_DEVICE_CODE: 'yes' })).toThrow(ConfigError);
  });

  it('remembers a device 180 days by default, DEVICE_REMEMBER_DAYS otherwise', () => {
    expect(loadConfig({ SESSION_KEYS: key }).devices.rememberMs).toBe(180 * 86_400_000);
    expect(loadConfig({ SESSION_KEYS: key, DEVICE_REMEMBER_DAYS: '30' }).devices.rememberMs).toBe(
      30 * 86_400_000,
    );
    expect(() => loadConfig({ SESSION_KEYS: key, DEVICE_REMEMBER_DAYS: '0' })).toThrow(ConfigError);
  });

  it('stops production start-up on a missing secret, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_KEYS: key })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c' })).toThrow(
      /SESSION_KEYS/,
    );
  });

  it('turns Secure cookies on in production', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a@b/c',
      SESSION_KEYS: key,
      SMTP_URL: 'smtps://relais.example.fr:465',
      PUBLIC_URL: 'https://moncompte.example.fr',
    });
    expect(c.secureCookies).toBe(true);
  });

  it('stops production start-up without PUBLIC_URL (the one Host it answers to), naming it', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a@b/c',
      SESSION_KEYS: key,
      SMTP_URL: 'smtps://relais.example.fr:465',
    };
    expect(() => loadConfig(production)).toThrow(/PUBLIC_URL/);
    expect(
      loadConfig({ ...production, PUBLIC_URL: 'https://moncompte.example.fr/' }).publicUrl,
    ).toBe('https://moncompte.example.fr');
  });

  it('refuses invalid values with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'abc', SESSION_KEYS: key })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_KEYS: 'trop-courte' })).toThrow(/SESSION_KEYS/);
    expect(() => loadConfig({ ARGON2_MEMORY_KIB: '1024', SESSION_KEYS: key })).toThrow(
      /ARGON2_MEMORY_KIB/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', SESSION_KEYS: key })).toThrow(
      /DATABASE_URL/,
    );
  });

  it('reads the mail settings, with development defaults', () => {
    expect(loadConfig({ SESSION_KEYS: key }).mail).toEqual({
      smtpUrl: undefined,
      from: 'Mon Compte <ne-pas-repondre@moncompte.localhost>',
      catcherPort: 1025,
    });
    const c = loadConfig({
      SESSION_KEYS: key,
      SMTP_URL: 'smtp://utilisateur:secret@127.0.0.1:2525',
      MAIL_FROM: 'Caf <ne-pas-repondre@caf.example>',
      SMTP_CATCHER_PORT: '0',
    });
    expect(c.mail).toEqual({
      smtpUrl: 'smtp://utilisateur:secret@127.0.0.1:2525',
      from: 'Caf <ne-pas-repondre@caf.example>',
      catcherPort: 0,
    });
  });

  it('stops production start-up without SMTP_URL, naming it', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://a@b/c',
      SESSION_KEYS: key,
      PUBLIC_URL: 'https://moncompte.example.fr',
    };
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/SMTP_URL/);
    expect(loadConfig({ ...production, SMTP_URL: 'smtp://relais:25' }).mail.smtpUrl).toBe(
      'smtp://relais:25',
    );
  });

  it('refuses invalid mail settings, naming the variable', () => {
    expect(() => loadConfig({ SESSION_KEYS: key, SMTP_URL: 'http://relais:25' })).toThrow(
      /SMTP_URL/,
    );
    expect(() => loadConfig({ SESSION_KEYS: key, SMTP_URL: 'relais:25' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ SESSION_KEYS: key, MAIL_FROM: ' ' })).toThrow(/MAIL_FROM/);
    expect(() => loadConfig({ SESSION_KEYS: key, SMTP_CATCHER_PORT: '70000' })).toThrow(
      /SMTP_CATCHER_PORT/,
    );
  });

  it('accepts several session keys, for rotation', () => {
    const other = Buffer.alloc(32, 2).toString('base64');
    expect(loadConfig({ SESSION_KEYS: `${key},${other}` }).sessionKeys).toHaveLength(2);
  });
});
