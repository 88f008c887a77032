import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '#src/services/index.ts';
import { paths } from '../../paths.ts';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** A FranceConnect exchange under way: see http/journeys/franceconnect/state.ts. */
    franceconnect: unknown;
  }
}

const level = z.enum(['franceconnect', 'franceconnect-plus']);
const returnTo = z.enum(['mon-compte', 'coordonnees-bancaires']);

/**
 * What a FranceConnect exchange needs between two requests, in the encrypted session cookie
 * (HttpOnly: no script reads it): the state, nonce and PKCE verifier sent, then the identity
 * waiting for the password confirmation, then the logout state. Valid 15 minutes, single use.
 */
const stateSchema = z.discriminatedUnion('step', [
  z.object({
    step: z.literal('authorize'),
    level,
    state: z.string(),
    nonce: z.string(),
    codeVerifier: z.string(),
    returnTo,
    issuedAt: z.number(),
  }),
  z.object({
    step: z.literal('link'),
    level,
    sub: z.string(),
    acr: z.string(),
    idToken: z.string(),
    personId: z.uuid(),
    givenName: z.string(),
    familyName: z.string(),
    returnTo,
    issuedAt: z.number(),
  }),
  z.object({ step: z.literal('logout'), state: z.string(), issuedAt: z.number() }),
]);

export type FranceConnectState = z.infer<typeof stateSchema>;
export type StateOf<S extends FranceConnectState['step']> = Extract<
  FranceConnectState,
  { step: S }
>;
export type ReturnTo = z.infer<typeof returnTo>;

const TTL_MS = 15 * 60_000;

export function readState<S extends FranceConnectState['step']>(
  request: FastifyRequest,
  step: S,
  now: Date,
): StateOf<S> | null {
  const parsed = stateSchema.safeParse(request.session.get('franceconnect'));
  if (!parsed.success || now.getTime() - parsed.data.issuedAt > TTL_MS) return null;
  return isStep(parsed.data, step) ? parsed.data : null;
}

function isStep<S extends FranceConnectState['step']>(
  s: FranceConnectState,
  step: S,
): s is StateOf<S> {
  return s.step === step;
}

export function writeState(request: FastifyRequest, state: FranceConnectState): void {
  request.session.set('franceconnect', state);
}

export function clearState(request: FastifyRequest): void {
  request.session.set('franceconnect', undefined);
}

export function returnPath(to: ReturnTo): string {
  return to === 'coordonnees-bancaires' ? paths.coordonneesBancaires : paths.monCompte;
}

/** Our origin as the browser sees it: PUBLIC_URL, or (outside production) the request's. */
export function publicOrigin(s: Services, request: FastifyRequest): string {
  return s.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Which FranceConnect buttons a page shows. */
export function franceConnectOffer(s: Services): {
  franceconnect: boolean;
  franceconnectPlus: boolean;
} {
  return {
    franceconnect: s.franceConnect.client('franceconnect') !== null,
    franceconnectPlus: s.franceConnect.client('franceconnect-plus') !== null,
  };
}
