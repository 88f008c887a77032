import type { Queryable } from '#src/db/pool.ts';
import { hasAccount } from '#src/db/repositories/accounts.ts';
import {
  deleteFranceConnectSession,
  findFranceConnectSession,
  findIdentityCandidates,
  findLinkedPerson,
  insertLink,
  saveFranceConnectSession,
} from '#src/db/repositories/franceconnect.ts';
import { revokeSession } from '#src/db/repositories/sessions.ts';
import type { Principal } from '#src/domain/principal.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import {
  randomToken,
  type CompletedAuthorization,
  type FranceConnectLevel,
  type PendingAuthorization,
} from '#src/franceconnect/client.ts';
import { withTransaction } from '#src/db/pool.ts';
import type { FlowState } from '#src/domain/flow.ts';
import {
  matchPivotIdentity,
  pivotIdentitySchema,
  type PivotIdentity,
} from '#src/franceconnect/pivot-identity.ts';
import { loginWithNir } from './authentication.ts';
import type { KnownDevices } from './devices.ts';
import {
  franceConnectAuthorizeFlow,
  franceConnectLinkFlow,
  franceConnectLogoutFlow,
  type ReturnTo,
} from './flow-definitions.ts';
import {
  consumeFlowOrUndo,
  inFlowTransaction,
  readFlow,
  startFlow,
  takeFlow,
  type Flow,
} from './flows.ts';
import type { Deps } from './deps.ts';
import { hashSessionId, openSession, type LoginContext, type SessionClaims } from './sessions.ts';

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
  s: Deps,
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

/** The state, nonce and PKCE verifier of an authorization request, kept server-side until the callback. */
export async function startFranceConnectLogin(
  s: Deps,
  input: {
    level: FranceConnectLevel;
    pending: PendingAuthorization;
    returnTo: ReturnTo;
    principal: Principal | null;
  },
): Promise<{ readonly id: string }> {
  return startFlow(s, franceConnectAuthorizeFlow, {
    personId: input.principal?.personId ?? null,
    state: {
      level: input.level,
      state: input.pending.state,
      nonce: input.pending.nonce,
      codeVerifier: input.pending.codeVerifier,
      returnTo: input.returnTo,
    },
  });
}

/** The callback takes its authorization once: a replayed or second callback finds nothing. */
export async function takeFranceConnectLogin(s: Deps, flowId: unknown) {
  return takeFlow(s, franceConnectAuthorizeFlow, flowId);
}

export interface FranceConnectLogin {
  readonly level: FranceConnectLevel;
  readonly personId: string;
  readonly acr: string;
  readonly idToken: string;
}

/**
 * Opens a FranceConnect session in one transaction: the link when one is being made, the
 * browser's previous session revoked, the new session row and its ID token for the logout.
 */
async function openFranceConnectSession(
  s: Deps,
  tx: Queryable,
  input: {
    login: FranceConnectLogin;
    linkSub: string | null;
    previous: Principal | null;
    context: LoginContext;
  },
): Promise<SessionClaims> {
  const { login } = input;
  if (input.linkSub !== null) {
    await insertLink(tx, {
      provider: login.level,
      sub: input.linkSub,
      personId: login.personId,
      at: s.now(),
    });
  }
  if (input.previous) await revokeSession(tx, input.previous.sessionHash, 'deconnexion');
  const claims = await openSession(tx, s.config.session, {
    personId: login.personId,
    method: login.level,
    acr: login.acr,
    ...input.context,
  });
  await saveFranceConnectSession(tx, {
    sessionHash: hashSessionId(claims.sid),
    provider: login.level,
    idToken: login.idToken,
  });
  return claims;
}

/** A login by a linked `sub`, or by a person already logged in who links it now. */
export async function finishFranceConnectLogin(
  s: Deps,
  input: {
    login: FranceConnectLogin;
    linkSub: string | null;
    previous: Principal | null;
    context: LoginContext;
  },
): Promise<SessionClaims> {
  return withTransaction(s.pool, (tx) => openFranceConnectSession(s, tx, input));
}

type LinkConfirmationFlow = Flow<FlowState<typeof franceConnectLinkFlow>>;

/** One person matched: the identity waits, server-side, for that person's password. */
export async function awaitLinkConfirmation(
  s: Deps,
  input: {
    login: FranceConnectLogin;
    sub: string;
    identity: PivotIdentity;
    returnTo: ReturnTo;
  },
): Promise<{ readonly id: string }> {
  return startFlow(s, franceConnectLinkFlow, {
    personId: input.login.personId,
    state: {
      level: input.login.level,
      sub: input.sub,
      acr: input.login.acr,
      idToken: input.login.idToken,
      givenName: input.identity.given_name,
      familyName: input.identity.family_name,
      returnTo: input.returnTo,
    },
  });
}

export async function readLinkConfirmation(
  s: Deps,
  flowId: unknown,
): Promise<(LinkConfirmationFlow & { readonly personId: string }) | null> {
  const flow = await readFlow(s, franceConnectLinkFlow, flowId);
  const personId = flow?.personId;
  return flow && personId ? { ...flow, personId } : null;
}

export type LinkConfirmation =
  | { readonly ok: true; readonly session: SessionClaims; readonly returnTo: ReturnTo }
  | { readonly ok: false; readonly reason: 'invalid' | 'gone' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * The matched person types their password once: it goes through the same throttled check as a
 * NIR login, and must open that very person's account. Then, in one transaction, the flow is
 * consumed, the link made and the session opened: a replay of this step finds no flow.
 */
export async function confirmLink(
  s: Deps,
  input: {
    flowId: unknown;
    password: string;
    clientIp: string;
    previous: Principal | null;
    context: LoginContext;
    devices: KnownDevices;
  },
): Promise<LinkConfirmation> {
  const flow = await readLinkConfirmation(s, input.flowId);
  if (!flow) return { ok: false, reason: 'gone' };
  const person = await findPersonById(s.pool, flow.personId);
  if (!person?.nir) return { ok: false, reason: 'invalid' };
  const result = await loginWithNir(s, {
    nir: person.nir,
    password: input.password,
    clientIp: input.clientIp,
    devices: input.devices,
  });
  if (!result.ok) return result.reason === 'throttled' ? result : { ok: false, reason: 'invalid' };
  if (result.via !== 'password' || result.personId !== flow.personId) {
    return { ok: false, reason: 'invalid' };
  }
  const { level, acr, idToken, sub, returnTo } = flow.state;
  const session = await inFlowTransaction(s.pool, async (tx) => {
    await consumeFlowOrUndo(s, flow, tx);
    return openFranceConnectSession(s, tx, {
      login: { level, personId: flow.personId, acr, idToken },
      linkSub: sub,
      previous: input.previous,
      context: input.context,
    });
  });
  if (session === 'gone') return { ok: false, reason: 'gone' };
  return { ok: true, session, returnTo };
}

export type ProviderLogout =
  /** Not opened through FranceConnect, or its provider is not configured here any more. */
  | { readonly to: 'local' }
  /** The provider is unreachable: the local session is closed all the same. */
  | { readonly to: 'local'; readonly unavailable: unknown }
  /** On to the provider's end_session; the flow keeps its state until the browser comes back. */
  | { readonly to: 'provider'; readonly url: string; readonly flow: { readonly id: string } };

/**
 * After the local session is revoked, for a session opened through FranceConnect: forgets its
 * ID token, and returns the provider's end_session URL (id_token_hint, state,
 * post_logout_redirect_uri) with the state kept server-side, checked on return.
 */
export async function closeFranceConnectSession(
  s: Deps,
  principal: Principal,
  postLogoutRedirectUri: string,
): Promise<ProviderLogout> {
  const fc = await findFranceConnectSession(s.pool, principal.sessionHash);
  if (!fc) return { to: 'local' };
  await deleteFranceConnectSession(s.pool, principal.sessionHash);
  const client = s.franceConnect.client(fc.provider);
  if (!client) return { to: 'local' };
  const state = randomToken();
  let url: URL | null;
  try {
    url = await client.endSessionUrl({ idTokenHint: fc.idToken, state, postLogoutRedirectUri });
  } catch (error) {
    return { to: 'local', unavailable: error };
  }
  if (!url) return { to: 'local' };
  const flow = await startFlow(s, franceConnectLogoutFlow, { personId: null, state: { state } });
  return { to: 'provider', url: url.href, flow };
}

export async function takeFranceConnectLogout(s: Deps, flowId: unknown) {
  return takeFlow(s, franceConnectLogoutFlow, flowId);
}
