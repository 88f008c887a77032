import type { AuthMethod } from '#src/domain/principal.ts';
import { loginWithNir, nirLoginIdentifier } from './authentication.ts';
import type { Deps } from './deps.ts';
import { isKnownDevice, type KnownDevices } from './devices.ts';
import { startFirstConnection } from './first-connection.ts';
import { startNewDeviceLogin } from './new-device.ts';
import { loginWithProvisionalId, provisionalSubject } from './provisional-id.ts';
import { openSession, type LoginContext, type SessionClaims } from './sessions.ts';
import { mustChangePassword } from '#src/db/repositories/agent-lookup.ts';
import { refuseIfSuspended } from './suspension.ts';

/** What the person typed to name themselves on a login page. */
export type LoginIdentifier =
  | { readonly kind: 'nir'; readonly nir: string }
  | { readonly kind: 'provisional'; readonly provisionalId: string };

export interface LoginRequest {
  readonly identifier: LoginIdentifier;
  readonly password: string;
  readonly clientIp: string;
  readonly devices: KnownDevices;
  readonly context: LoginContext;
}

export type LoginOutcome =
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date }
  /** `loginIdentifier`: what the device cookie now remembers this browser logged in to. */
  | {
      readonly ok: true;
      readonly loginIdentifier: string;
      readonly next: 'session';
      readonly session: SessionClaims;
    }
  /**
   * Not a session yet: the first connection's password step (old password) or contact step, or
   * the code of a new device (ADR 0011; the device cookie is set only after that code).
   */
  | {
      readonly ok: true;
      readonly loginIdentifier: string;
      readonly next: 'first-password' | 'first-contact' | 'device-code';
      readonly flow: { readonly id: string };
    };

/**
 * The whole login by password, NIR or provisional identifier: the throttled check, then either
 * a session row (the caller only sets the cookie) or the first connection's flow.
 */
export async function logIn(s: Deps, input: LoginRequest): Promise<LoginOutcome> {
  const { identifier, password, clientIp, devices } = input;
  const result =
    identifier.kind === 'nir'
      ? await loginWithNir(s, {
          nir: identifier.nir,
          password,
          clientIp,
          devices,
          context: input.context,
        })
      : await loginWithProvisionalId(s, {
          provisionalId: identifier.provisionalId,
          password,
          clientIp,
          devices,
          context: input.context,
        });
  if (!result.ok) return result;
  // Before any first-connection or device-code step: a suspended person goes no further.
  await refuseIfSuspended(s.pool, result.personId);
  const loginIdentifier =
    identifier.kind === 'nir'
      ? nirLoginIdentifier(identifier.nir)
      : provisionalSubject(identifier.provisionalId);
  const unknownDevice =
    result.via === 'password' &&
    s.config.devices.newDeviceCode &&
    !isKnownDevice(s, devices, loginIdentifier);
  // An agent asked for a new password: the first connection's password step, then on as usual.
  const forced = result.via === 'password' && (await mustChangePassword(s.pool, result.personId));
  if (unknownDevice && !result.needsContact && !forced) {
    const pending = await startNewDeviceLogin(s, result.personId, loginIdentifier);
    if (pending) return { ok: true, loginIdentifier, next: 'device-code', flow: pending };
  }
  // No verified contact (an unknown device included): the first connection's contact step
  // proves one by a code, which is as good as the new-device code.
  if (result.via === 'legacy' || result.needsContact || unknownDevice || forced) {
    const passwordSet = result.via === 'password' && !forced;
    const flow = await startFirstConnection(s, result.personId, {
      origin: 'ancien-mot-de-passe',
      passwordSet,
    });
    return {
      ok: true,
      loginIdentifier,
      next: passwordSet ? 'first-contact' : 'first-password',
      flow,
    };
  }
  const session = await openPasswordSession(s, result.personId, input.context);
  return { ok: true, loginIdentifier, next: 'session', session };
}

async function openPasswordSession(
  s: Deps,
  personId: string,
  context: LoginContext,
): Promise<SessionClaims> {
  const method: AuthMethod = 'password';
  return openSession(s.pool, s.config.session, { personId, method, acr: null, ...context });
}
