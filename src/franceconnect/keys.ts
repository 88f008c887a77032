import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import { z } from 'zod';
import { ConfigError, projectRoot, type Config } from '#src/config.ts';

/** A private key that decrypts FranceConnect+ ID tokens and userinfo, and its public half. */
export interface EncryptionKey {
  readonly kid: string;
  readonly alg: string;
  readonly key: CryptoKey;
  readonly publicJwk: JWK;
}

const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);
const SUPPORTED_ALGS = new Set(['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES']);

const jwkSchema = z.looseObject({
  kty: z.string(),
  kid: z.string().optional(),
  alg: z.string().optional(),
  d: z.string(),
});
const jwksSchema = z.object({ keys: z.array(jwkSchema).min(1) });

async function toEncryptionKey(jwk: z.infer<typeof jwkSchema>): Promise<EncryptionKey> {
  const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ECDH-ES' : 'RSA-OAEP');
  if (!SUPPORTED_ALGS.has(alg)) {
    throw new ConfigError(`FRANCECONNECT_ENCRYPTION_KEYS : algorithme ${alg} non pris en charge.`);
  }
  const key = await importJWK(jwk, alg);
  if (key instanceof Uint8Array)
    throw new ConfigError('FRANCECONNECT_ENCRYPTION_KEYS : clé asymétrique attendue.');
  const publicJwk: JWK = Object.fromEntries(
    Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.has(name)),
  );
  const kid = jwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  return { kid, alg, key, publicJwk: { ...publicJwk, kid, alg, use: 'enc' } };
}

async function generatedJwks(): Promise<string> {
  const { privateKey } = await generateKeyPair('RSA-OAEP', {
    modulusLength: 2048,
    extractable: true,
  });
  const jwk = await exportJWK(privateKey);
  return JSON.stringify({
    keys: [{ ...jwk, alg: 'RSA-OAEP', kid: await calculateJwkThumbprint(jwk) }],
  });
}

/**
 * FRANCECONNECT_ENCRYPTION_KEYS (a JWK set of private keys) in production; in development a
 * key generated once into .data/ (like the session key); in tests, a key of the process.
 */
export async function loadEncryptionKeys(config: Config): Promise<EncryptionKey[]> {
  let json = config.franceConnect.encryptionKeys;
  if (!json && config.env === 'development') {
    const file = path.join(projectRoot, '.data', 'franceconnect-encryption-keys.json');
    if (existsSync(file)) json = readFileSync(file, 'utf8');
    else {
      json = await generatedJwks();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, json, { mode: 0o600 });
    }
  }
  json ??= await generatedJwks();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('FRANCECONNECT_ENCRYPTION_KEYS : JSON invalide.');
  }
  const set = jwksSchema.safeParse(parsed);
  if (!set.success) {
    throw new ConfigError(
      'FRANCECONNECT_ENCRYPTION_KEYS : un jeu de clés privées JWK est attendu ({"keys":[…]}).',
    );
  }
  return Promise.all(set.data.keys.map(toEncryptionKey));
}
