import type { CodeChannel } from '#src/db/repositories/one-time-codes.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import {
  findActivePasswordHash,
  recordStrongAuth,
  strongAuthAt,
} from '#src/db/repositories/strong-auth.ts';
import { acrSatisfies } from '#src/franceconnect/client.ts';
import type { Principal } from '#src/domain/principal.ts';
import { stepUpFlow } from './flow-definitions.ts';
import { consumeFlowOrUndo, orGone, readFlow, startFlow } from './flows.ts';
import type { Deps } from './deps.ts';
import { checkCode, sendCode, type CodeCheck } from './one-time-codes.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

/** A strong authentication opens sensitive actions for 10 minutes. */
export const STRONG_AUTH_WINDOW_MS = 10 * 60_000;

/** A FranceConnect+ login (acr eidas2 or more) less than 10 minutes old. */
export function isRecentFranceConnectPlus(principal: Principal, now: Date): boolean {
  return (
    principal.method === 'franceconnect-plus' &&
    acrSatisfies(principal.acr, 'eidas2') &&
    now.getTime() - principal.authenticatedAt.getTime() <= STRONG_AUTH_WINDOW_MS
  );
}

/** FranceConnect+ within 10 minutes, or password + one-time code on this session within 10 minutes. */
export async function hasStrongAuthentication(s: Deps, principal: Principal): Promise<boolean> {
  const now = s.now();
  if (isRecentFranceConnectPlus(principal, now)) return true;
  const at = await strongAuthAt(s.pool, principal.sessionHash);
  return at !== null && now.getTime() - at.getTime() <= STRONG_AUTH_WINDOW_MS && at <= now;
}

/** How a strong authentication was obtained, for the record of the change. */
export function strongAuthMethod(principal: Principal, now: Date): string {
  return isRecentFranceConnectPlus(principal, now)
    ? `franceconnect-plus:${principal.acr ?? ''}`
    : 'mot-de-passe+code';
}

export interface VerifiedContact {
  readonly channel: CodeChannel;
  readonly destination: string;
}

/** The contact a step-up code goes to: the verified e-mail, else the verified mobile. */
export async function stepUpContact(s: Deps, personId: string): Promise<VerifiedContact | null> {
  const person = await findPersonById(s.pool, personId);
  if (person?.email && person.email_verified_at)
    return { channel: 'email', destination: person.email };
  if (person?.phone && person.phone_verified_at)
    return { channel: 'sms', destination: person.phone };
  return null;
}

/** Whether the person can use the password + code step-up at all. */
export async function canStepUpWithPassword(s: Deps, personId: string): Promise<boolean> {
  return (
    (await findActivePasswordHash(s.pool, personId)) !== null &&
    (await stepUpContact(s, personId)) !== null
  );
}

/** What a strong authentication opens, as the code's message says it. */
export const STEP_UP_INTENTS = {
  'bank-details': 'confirmer la modification de vos coordonnées bancaires',
  'registered-letter': 'ouvrir votre lettre recommandée électronique',
} as const;
export type StepUpIntent = keyof typeof STEP_UP_INTENTS;

export type PasswordStepUp =
  /** `flow`: the step-up under way, bound to this person, until its code. */
  | { readonly ok: true; readonly contact: VerifiedContact; readonly flow: { readonly id: string } }
  | { readonly ok: false; readonly reason: 'invalid' | 'unavailable' | 'too-many-codes' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * First half of the step-up: the password typed again (throttled like a login, on the same
 * account counter), then a code sent to a verified contact.
 */
export async function startPasswordStepUp(
  s: Deps,
  principal: Principal,
  password: string,
  clientIp: string,
  intent: StepUpIntent = 'bank-details',
): Promise<PasswordStepUp> {
  const person = await findPersonById(s.pool, principal.personId);
  const hash = await findActivePasswordHash(s.pool, principal.personId);
  const contact = await stepUpContact(s, principal.personId);
  if (!person || !hash || !contact) return { ok: false, reason: 'unavailable' };
  // A live session is a known device (ADR 0008): its own budget, never locked by strangers.
  const subjects = {
    account: accountSubject(
      s.secrets.throttles,
      `session:${principal.sessionHash.toString('hex')}`,
    ),
    address: clientIp,
    knownDevice: true,
  };
  const opening = await openAttempt(s.pool, 'password', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  if (!(await s.hasher.verify(hash, password))) {
    await attemptFailed(s.pool, 'password', subjects, s.now());
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'password', subjects);
  const sent = await sendCode(
    s,
    'strong-auth',
    { personId: principal.personId, ...contact },
    STEP_UP_INTENTS[intent],
  );
  if (sent === 'too-many') return { ok: false, reason: 'too-many-codes' };
  const flow = await startFlow(s, stepUpFlow, { personId: principal.personId, state: contact });
  return { ok: true, contact, flow };
}

/** The step-up of this browser awaiting its code, if it belongs to this person. */
export async function readStepUp(s: Deps, principal: Principal, flowId: unknown) {
  const flow = await readFlow(s, stepUpFlow, flowId);
  return flow?.personId === principal.personId ? flow : null;
}

/**
 * Second half: the code. In one transaction it is consumed, the step-up flow too, and the
 * session records the time of its strong authentication; a replay finds no flow.
 */
export async function finishCodeStepUp(
  s: Deps,
  principal: Principal,
  input: { flowId: unknown; code: string; clientIp: string },
): Promise<CodeCheck | 'gone'> {
  const flow = await readStepUp(s, principal, input.flowId);
  if (!flow) return 'gone';
  return orGone(
    checkCode(s, 'strong-auth', principal.personId, input.code, input.clientIp, {
      effect: async (tx) => {
        await consumeFlowOrUndo(s, flow, tx);
        await recordStrongAuth(tx, principal.sessionHash, s.now());
      },
    }),
  );
}
