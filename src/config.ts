import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const projectRoot = path.resolve(import.meta.dirname, '..');

const keyPattern = /^[A-Za-z0-9+/]{43}=$/;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  SESSION_KEYS: z
    .string()
    .transform((s) => s.split(',').map((k) => k.trim()))
    .pipe(
      z
        .array(z.string().regex(keyPattern, 'chaque clé : 32 octets en base64 (44 caractères)'))
        .min(1),
    )
    .optional(),
  EMBEDDED_PG_DIR: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  LOGIN_CONCURRENCY: z.coerce.number().int().min(1).default(availableParallelism()),
  LOGIN_QUEUE_MAX: z.coerce.number().int().min(0).default(256),
  LOGIN_HASHING_NICE: z.coerce.number().int().min(0).max(19).default(10),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce.number().positive().default(12),
  SECURE_COOKIES: z.enum(['true', 'false']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().trim().min(1).default('Mon Compte <ne-pas-repondre@moncompte.localhost>'),
  SMTP_CATCHER_PORT: z.coerce.number().int().min(0).max(65535).default(1025),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  FRANCECONNECT_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  FRANCECONNECT_CLIENT_ID: z.string().trim().min(1).optional(),
  FRANCECONNECT_CLIENT_SECRET: z.string().trim().min(1).optional(),
  FRANCECONNECT_PLUS_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  FRANCECONNECT_PLUS_CLIENT_ID: z.string().trim().min(1).optional(),
  FRANCECONNECT_PLUS_CLIENT_SECRET: z.string().trim().min(1).optional(),
  FRANCECONNECT_ENCRYPTION_KEYS: z.string().trim().min(1).optional(),
  FRANCECONNECT_DEV_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  NEW_DEVICE_CODE: z.enum(['on', 'off']).optional(),
  DEVICE_REMEMBER_DAYS: z.coerce.number().int().min(1).max(400).default(180),
  VOICE_SERVER_TOKEN: z.string().trim().min(32, 'au moins 32 caractères').optional(),
  PHONE_LEGACY_PASSWORD_CUTOFF: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ')
    .default('2022-03-31'),
});

export type Env = Readonly<Record<string, string | undefined>>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** Absent: the app starts its own embedded Postgres in `embedded.dir`. */
  readonly databaseUrl: string | undefined;
  readonly embedded: {
    readonly dir: string;
    readonly port: number;
    /** `.data/postgres` of the clone, not EMBEDDED_PG_DIR: as root it may move (ADR 0005). */
    readonly dirIsDefault: boolean;
  };
  /** 32-byte keys; the first encrypts, all decrypt (rotation). */
  readonly sessionKeys: readonly Buffer[];
  readonly argon2: {
    readonly memoryCost: number;
    readonly timeCost: number;
    readonly parallelism: number;
  };
  readonly login: {
    readonly concurrency: number;
    readonly queueMax: number;
    /** Nice value of the threads argon2 runs on (ADR 0013); 0: unchanged. */
    readonly hashingNice: number;
  };
  readonly session: { readonly idleMs: number; readonly absoluteMs: number };
  /** `Secure` + `__Host-` cookies; only plain HTTP local development turns it off. */
  readonly secureCookies: boolean;
  readonly logLevel: string;
  readonly devices: {
    /** A password login from an unknown device asks for a code (ADR 0011); on in production. */
    readonly newDeviceCode: boolean;
    /** How long a device stays known after its last login (the device cookie, ADR 0008). */
    readonly rememberMs: number;
  };
  readonly mail: {
    /** Absent outside production: `npm start` runs an SMTP catcher into `dev_outbox`. */
    readonly smtpUrl: string | undefined;
    readonly from: string;
    /** Port of that development SMTP catcher (loopback only). */
    readonly catcherPort: number;
  };
  /**
   * Origin of the portal as browsers see it (redirect URIs, Origin check); required in production,
   * where it also pins the Host header. Outside production, unset means the request's origin.
   */
  readonly publicUrl: string | undefined;
  readonly phone: {
    /** The voice server's bearer token; absent, the phone API is not served (closed). */
    readonly voiceServerToken: string | undefined;
    /** Last day (YYYY-MM-DD) the old 8-digit password answers on the phone once migrated. */
    readonly legacyPasswordCutoff: string;
  };
  readonly franceConnect: {
    /** null: no button. Outside production with no issuer, main.ts starts a development provider. */
    readonly franceconnect: OidcProviderSettings | null;
    readonly franceconnectPlus: OidcProviderSettings | null;
    /** JSON JWK set of private keys decrypting FranceConnect+ tokens; generated outside production. */
    readonly encryptionKeys: string | undefined;
    /** Port of the development provider (loopback only). */
    readonly devProviderPort: number;
  };
}

/** One OpenID Connect provider, configured by discovery from its issuer. */
export interface OidcProviderSettings {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export class ConfigError extends Error {}

function providerSettings(
  prefix: string,
  issuer: string | undefined,
  clientId: string | undefined,
  clientSecret: string | undefined,
): OidcProviderSettings | null {
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    throw new ConfigError(
      `${prefix}_ISSUER, ${prefix}_CLIENT_ID et ${prefix}_CLIENT_SECRET vont ensemble : renseignez les trois.`,
    );
  }
  return { issuer, clientId, clientSecret };
}

/** Validates the environment once at start-up; production refuses to start on a missing secret. */
export function loadConfig(env: Env = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    if (!e.DATABASE_URL) throw new ConfigError('DATABASE_URL est obligatoire en production.');
    if (!e.SESSION_KEYS) throw new ConfigError('SESSION_KEYS est obligatoire en production.');
    if (!e.SMTP_URL) throw new ConfigError('SMTP_URL est obligatoire en production.');
    // Production answers only to this name (Host pinned, Origin checked): ADR 0006.
    if (!e.PUBLIC_URL) {
      throw new ConfigError(
        'PUBLIC_URL est obligatoire en production (adresse publique du portail, ex. https://moncompte.example.fr).',
      );
    }
  }
  const franceconnect = providerSettings(
    'FRANCECONNECT',
    e.FRANCECONNECT_ISSUER,
    e.FRANCECONNECT_CLIENT_ID,
    e.FRANCECONNECT_CLIENT_SECRET,
  );
  const franceconnectPlus = providerSettings(
    'FRANCECONNECT_PLUS',
    e.FRANCECONNECT_PLUS_ISSUER,
    e.FRANCECONNECT_PLUS_CLIENT_ID,
    e.FRANCECONNECT_PLUS_CLIENT_SECRET,
  );
  if (e.NODE_ENV === 'production') {
    if (franceconnectPlus && !e.FRANCECONNECT_ENCRYPTION_KEYS) {
      throw new ConfigError(
        'FRANCECONNECT_ENCRYPTION_KEYS est obligatoire en production avec FranceConnect+.',
      );
    }
  }
  const keys = e.SESSION_KEYS ?? [developmentSessionKey()];
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embedded: {
      dir: e.EMBEDDED_PG_DIR ?? path.join(projectRoot, '.data', 'postgres'),
      port: e.EMBEDDED_PG_PORT,
      dirIsDefault: e.EMBEDDED_PG_DIR === undefined,
    },
    sessionKeys: keys.map((k) => Buffer.from(k, 'base64')),
    argon2: {
      memoryCost: e.ARGON2_MEMORY_KIB,
      timeCost: e.ARGON2_TIME_COST,
      parallelism: e.ARGON2_PARALLELISM,
    },
    login: {
      concurrency: e.LOGIN_CONCURRENCY,
      queueMax: e.LOGIN_QUEUE_MAX,
      hashingNice: e.LOGIN_HASHING_NICE,
    },
    session: {
      idleMs: e.SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000,
    },
    secureCookies: e.SECURE_COOKIES ? e.SECURE_COOKIES === 'true' : e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'silent' : 'info'),
    devices: {
      // Off outside production: testers log in to the seeded dossiers without codes.
      newDeviceCode: e.NEW_DEVICE_CODE ? e.NEW_DEVICE_CODE === 'on' : e.NODE_ENV === 'production',
      rememberMs: e.DEVICE_REMEMBER_DAYS * 24 * 3_600_000,
    },
    mail: { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, catcherPort: e.SMTP_CATCHER_PORT },
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    phone: {
      voiceServerToken: e.VOICE_SERVER_TOKEN,
      legacyPasswordCutoff: e.PHONE_LEGACY_PASSWORD_CUTOFF,
    },
    franceConnect: {
      franceconnect,
      franceconnectPlus,
      encryptionKeys: e.FRANCECONNECT_ENCRYPTION_KEYS,
      devProviderPort: e.FRANCECONNECT_DEV_PORT,
    },
  };
}

/** Development only: a key generated once and kept in .data/, so restarts keep sessions. */
function developmentSessionKey(): string {
  const file = path.join(projectRoot, '.data', 'session-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = randomBytes(32).toString('base64');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, key, { mode: 0o600 });
  return key;
}
