import { randomBytes, timingSafeEqual } from 'node:crypto';
import { compactDecrypt } from 'jose';
import * as oidc from 'openid-client';
import type { OidcProviderSettings } from '#src/config.ts';
import type { EncryptionKey } from './keys.ts';

export type FranceConnectLevel = 'franceconnect' | 'franceconnect-plus';

/** FranceConnect asks eIDAS low, FranceConnect+ substantial (eidas3, high, satisfies both). */
export const REQUESTED_ACR: Readonly<Record<FranceConnectLevel, 'eidas1' | 'eidas2'>> = {
  franceconnect: 'eidas1',
  'franceconnect-plus': 'eidas2',
};

export const SCOPES =
  'openid given_name family_name birthdate gender birthplace birthcountry email';

const ACR_RANK: Readonly<Record<string, number>> = { eidas1: 1, eidas2: 2, eidas3: 3 };

/** The acr returned is at least the level asked: eidas2 is met by eidas2 or eidas3. */
export function acrSatisfies(returned: unknown, asked: string): boolean {
  if (typeof returned !== 'string') return false;
  const got = ACR_RANK[returned];
  const want = ACR_RANK[asked];
  return got !== undefined && want !== undefined && got >= want;
}

/** 64 hexadecimal characters (256 bits), for `state` and `nonce`. */
export function randomToken(): string {
  return randomBytes(32).toString('hex');
}

export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type FailureReason = 'state' | 'refused' | 'nonce' | 'acr' | 'encryption' | 'provider';

export class FranceConnectError extends Error {
  readonly reason: FailureReason;
  /** The provider's `error` code when it refused (access_denied…). */
  readonly providerError: string | null;

  constructor(
    reason: FailureReason,
    message: string,
    providerError: string | null = null,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'FranceConnectError';
    this.reason = reason;
    this.providerError = providerError;
  }
}

export interface PendingAuthorization {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export interface CompletedAuthorization {
  readonly sub: string;
  readonly acr: string;
  /** The signed ID token (decrypted if it came encrypted), for `id_token_hint` at logout. */
  readonly idToken: string;
  /** Userinfo claims, from a signed (and for FranceConnect+ encrypted) JWT, verified. */
  readonly userinfo: Readonly<Record<string, unknown>>;
}

export interface OidcClient {
  readonly level: FranceConnectLevel;
  readonly issuer: string;
  authorizationUrl(redirectUri: string): Promise<{ url: URL; pending: PendingAuthorization }>;
  complete(
    currentUrl: URL,
    redirectUri: string,
    pending: PendingAuthorization,
  ): Promise<CompletedAuthorization>;
  /** null when the provider has no end_session_endpoint. */
  endSessionUrl(input: {
    idTokenHint: string;
    state: string;
    postLogoutRedirectUri: string;
  }): Promise<URL | null>;
  /** Origins a form on our pages may be redirected to (CSP form-action). */
  origins(): string[];
}

const SIGNING_PREFERENCE = ['ES256', 'RS256', 'PS256'];

function preferredAlg(supported: unknown): string {
  const list = Array.isArray(supported) ? supported.filter((a) => typeof a === 'string') : [];
  return SIGNING_PREFERENCE.find((a) => list.includes(a)) ?? list[0] ?? 'RS256';
}

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/** The ID token claim openid-client found wrong (`nonce`, `iss`, `aud`…), from its error chain. */
function failedClaim(error: unknown): string | null {
  let e: unknown = error;
  for (let depth = 0; typeof e === 'object' && e !== null && depth < 4; depth++) {
    if ('claim' in e && typeof e.claim === 'string') return e.claim;
    e = 'cause' in e ? e.cause : null;
  }
  return null;
}

function segments(token: string): number {
  return token.split('.').length;
}

/**
 * An OpenID Connect client of one FranceConnect provider, configured by discovery from its
 * issuer (lazily, retried after a failure). Signatures of the ID token and of the userinfo JWT
 * are checked against the provider's published keys; FranceConnect+ also requires both to come
 * encrypted to one of our keys.
 */
export function createOidcClient(options: {
  level: FranceConnectLevel;
  settings: OidcProviderSettings;
  /** Plain HTTP to a loopback issuer: the development provider, never in production. */
  allowInsecureLoopback: boolean;
  encryptionKeys: readonly EncryptionKey[];
}): OidcClient {
  const { level, settings, encryptionKeys } = options;
  const issuerUrl = new URL(settings.issuer);
  const insecure =
    options.allowInsecureLoopback && issuerUrl.protocol === 'http:' && isLoopback(issuerUrl);
  const encrypted = level === 'franceconnect-plus';
  let configuration: Promise<oidc.Configuration> | null = null;
  let discovered: oidc.ServerMetadata | null = null;

  async function configure(): Promise<oidc.Configuration> {
    // Deprecated only as a warning sign: plain HTTP is allowed to a loopback issuer, outside production.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const execute = insecure ? [oidc.allowInsecureRequests] : [];
    const probe = await oidc.discovery(issuerUrl, settings.clientId, undefined, undefined, {
      execute,
      timeout: 10,
    });
    const server = probe.serverMetadata();
    const basic =
      !server.token_endpoint_auth_methods_supported ||
      server.token_endpoint_auth_methods_supported.includes('client_secret_basic');
    const metadata: Partial<oidc.ClientMetadata> = {
      client_secret: settings.clientSecret,
      id_token_signed_response_alg: preferredAlg(server.id_token_signing_alg_values_supported),
      // Set, so that a plain JSON userinfo is refused: only a signed JWT is accepted.
      userinfo_signed_response_alg: preferredAlg(server.userinfo_signing_alg_values_supported),
    };
    const config = new oidc.Configuration(
      server,
      settings.clientId,
      metadata,
      basic
        ? oidc.ClientSecretBasic(settings.clientSecret)
        : oidc.ClientSecretPost(settings.clientSecret),
    );
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    if (insecure) oidc.allowInsecureRequests(config);
    oidc.enableNonRepudiationChecks(config);
    if (encrypted) {
      oidc.enableDecryptingResponses(
        config,
        ['A256GCM', 'A128GCM', 'A256CBC-HS512', 'A128CBC-HS256'],
        ...encryptionKeys.map((k) => ({ key: k.key, kid: k.kid, alg: k.alg })),
      );
      const userinfoEndpoint = server.userinfo_endpoint;
      // FranceConnect+ userinfo must come encrypted: a signed-only answer is refused.
      config[oidc.customFetch] = async (url, init) => {
        const response = await fetch(url, init);
        if (userinfoEndpoint && url === userinfoEndpoint && response.ok) {
          const body = await response.clone().text();
          if (segments(body.trim()) !== 5) {
            throw new FranceConnectError('encryption', 'userinfo FranceConnect+ non chiffré');
          }
        }
        return response;
      };
    }
    discovered = server;
    return config;
  }

  async function getConfiguration(): Promise<oidc.Configuration> {
    configuration ??= configure().catch((error: unknown) => {
      configuration = null;
      throw error;
    });
    return configuration;
  }

  async function signedIdToken(idToken: string): Promise<string> {
    if (segments(idToken) !== 5) return idToken;
    // OIDC Core §3.1.2.1: an encrypted ID token is decrypted before use as id_token_hint.
    for (const k of encryptionKeys) {
      try {
        const { plaintext } = await compactDecrypt(idToken, k.key);
        return new TextDecoder().decode(plaintext);
      } catch {
        // try the next key
      }
    }
    throw new FranceConnectError('encryption', 'ID token FranceConnect+ indéchiffrable');
  }

  return {
    level,
    issuer: settings.issuer,

    async authorizationUrl(redirectUri) {
      const config = await getConfiguration();
      const pending = {
        state: randomToken(),
        nonce: randomToken(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: SCOPES,
        acr_values: REQUESTED_ACR[level],
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        prompt: 'login',
      });
      return { url, pending };
    },

    async complete(currentUrl, redirectUri, pending) {
      const config = await getConfiguration();
      const state = currentUrl.searchParams.get('state') ?? '';
      if (!sameToken(state, pending.state)) {
        throw new FranceConnectError('state', 'state absent ou différent de celui envoyé');
      }
      const error = currentUrl.searchParams.get('error');
      if (error !== null) {
        throw new FranceConnectError('refused', `le fournisseur a répondu ${error}`, error);
      }
      // openid-client takes the redirect URI from the URL it is given: ours, not the Host header.
      const callback = new URL(redirectUri);
      callback.search = currentUrl.search;
      let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callback, {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.codeVerifier,
          idTokenExpected: true,
        });
      } catch (cause) {
        throw new FranceConnectError(
          failedClaim(cause) === 'nonce' ? 'nonce' : 'provider',
          'échange du code refusé',
          null,
          cause,
        );
      }
      const claims = tokens.claims();
      const idToken = tokens.id_token;
      if (!claims || !idToken) throw new FranceConnectError('provider', 'pas d’ID token');
      if (encrypted && segments(idToken) !== 5) {
        throw new FranceConnectError('encryption', 'ID token FranceConnect+ non chiffré');
      }
      const acr = claims.acr;
      if (typeof acr !== 'string' || !acrSatisfies(acr, REQUESTED_ACR[level])) {
        throw new FranceConnectError(
          'acr',
          `acr ${JSON.stringify(acr ?? null)} inférieur à ${REQUESTED_ACR[level]}`,
        );
      }
      let userinfo: Readonly<Record<string, unknown>>;
      try {
        userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      } catch (cause) {
        if (cause instanceof FranceConnectError) throw cause;
        throw new FranceConnectError('provider', 'userinfo refusé', null, cause);
      }
      return {
        sub: claims.sub,
        acr,
        idToken: await signedIdToken(idToken),
        userinfo,
      };
    },

    async endSessionUrl({ idTokenHint, state, postLogoutRedirectUri }) {
      const config = await getConfiguration();
      if (!config.serverMetadata().end_session_endpoint) return null;
      return oidc.buildEndSessionUrl(config, {
        id_token_hint: idTokenHint,
        state,
        post_logout_redirect_uri: postLogoutRedirectUri,
      });
    },

    origins() {
      const urls = [
        settings.issuer,
        discovered?.authorization_endpoint,
        discovered?.end_session_endpoint,
      ];
      return [...new Set(urls.filter((u) => typeof u === 'string').map((u) => new URL(u).origin))];
    },
  };
}
