import type { JWK } from 'jose';
import type { Config } from '#src/config.ts';
import { createOidcClient, type FranceConnectLevel, type OidcClient } from './client.ts';
import { loadEncryptionKeys } from './keys.ts';

/** The FranceConnect and FranceConnect+ clients configured, if any, and our public keys. */
export interface FranceConnect {
  client(level: FranceConnectLevel): OidcClient | null;
  /** Public encryption keys for FranceConnect+ (its JWKS URL); null without FranceConnect+. */
  publicJwks(): { readonly keys: readonly JWK[] } | null;
  /** Origins our forms may be redirected to: the providers' (CSP form-action). */
  formActionSources(): string[];
}

export async function createFranceConnect(config: Config): Promise<FranceConnect> {
  const { franceconnect, franceconnectPlus } = config.franceConnect;
  const allowInsecureLoopback = config.env !== 'production';
  const keys = franceconnectPlus ? await loadEncryptionKeys(config) : [];
  const clients: Partial<Record<FranceConnectLevel, OidcClient>> = {};
  if (franceconnect) {
    clients.franceconnect = createOidcClient({
      level: 'franceconnect',
      settings: franceconnect,
      allowInsecureLoopback,
      encryptionKeys: [],
    });
  }
  if (franceconnectPlus) {
    clients['franceconnect-plus'] = createOidcClient({
      level: 'franceconnect-plus',
      settings: franceconnectPlus,
      allowInsecureLoopback,
      encryptionKeys: keys,
    });
  }
  const jwks = keys.length > 0 ? { keys: keys.map((k) => k.publicJwk) } : null;
  return {
    client: (level) => clients[level] ?? null,
    publicJwks: () => jwks,
    formActionSources: () => [...new Set(Object.values(clients).flatMap((c) => c.origins()))],
  };
}
