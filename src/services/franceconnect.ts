import type { JWK } from 'jose';
import type { Config } from '#src/config.ts';
import { hasAccount } from '#src/db/repositories/accounts.ts';
import {
  findIdentityCandidates,
  findLinkedPerson,
  insertLink,
} from '#src/db/repositories/franceconnect.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import {
  createOidcClient,
  type CompletedAuthorization,
  type FranceConnectLevel,
  type OidcClient,
} from '#src/franceconnect/client.ts';
import { loadEncryptionKeys } from '#src/franceconnect/keys.ts';
import {
  matchPivotIdentity,
  pivotIdentitySchema,
  type PivotIdentity,
} from '#src/franceconnect/pivot-identity.ts';
import { loginWithNir } from './authentication.ts';
import type { KnownDevices } from './devices.ts';
import type { Services } from './index.ts';

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

export type Identification =
  /** This `sub` was confirmed before: log in. */
  | { readonly kind: 'linked'; readonly personId: string }
  /** One person matches and has an account: they confirm once with their password. */
  | { readonly kind: 'to-confirm'; readonly personId: string; readonly identity: PivotIdentity }
  /** One person matches but has no personal account yet. */
  | { readonly kind: 'no-account' }
  | { readonly kind: 'none' }
  | { readonly kind: 'ambiguous' };

/**
 * Who FranceConnect identified: by the `sub` already linked, else by the pivot identity matched
 * against the persons on file and cross-checked with their NIR. Never by e-mail.
 */
export async function identify(
  s: Services,
  level: FranceConnectLevel,
  login: CompletedAuthorization,
): Promise<Identification> {
  const linked = await findLinkedPerson(s.pool, level, login.sub);
  if (linked) return { kind: 'linked', personId: linked };
  const parsed = pivotIdentitySchema.safeParse({ ...login.userinfo, sub: login.sub });
  if (!parsed.success) return { kind: 'none' };
  const identity = parsed.data;
  const candidates = await findIdentityCandidates(
    s.pool,
    identity.birthdate,
    identity.gender === 'female' ? 2 : 1,
  );
  const match = matchPivotIdentity(identity, candidates);
  if (match.kind !== 'one') return match;
  if (!(await hasAccount(s.pool, match.personId))) return { kind: 'no-account' };
  return { kind: 'to-confirm', personId: match.personId, identity };
}

export async function linkIdentity(
  s: Services,
  link: { level: FranceConnectLevel; sub: string; personId: string },
): Promise<void> {
  await insertLink(s.pool, {
    provider: link.level,
    sub: link.sub,
    personId: link.personId,
    at: s.now(),
  });
}

export type LinkConfirmation =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * The matched person types their password once: it goes through the same throttled check as a
 * NIR login, and must open that very person's account.
 */
export async function confirmLink(
  s: Services,
  input: {
    level: FranceConnectLevel;
    sub: string;
    personId: string;
    password: string;
    clientIp: string;
    devices: KnownDevices;
  },
): Promise<LinkConfirmation> {
  const person = await findPersonById(s.pool, input.personId);
  if (!person?.nir) return { ok: false, reason: 'invalid' };
  const result = await loginWithNir(s, {
    nir: person.nir,
    password: input.password,
    clientIp: input.clientIp,
    devices: input.devices,
  });
  if (!result.ok) return result.reason === 'throttled' ? result : { ok: false, reason: 'invalid' };
  if (result.via !== 'password' || result.personId !== input.personId) {
    return { ok: false, reason: 'invalid' };
  }
  await linkIdentity(s, input);
  return { ok: true };
}
