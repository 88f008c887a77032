import { findPersonById, type PersonRow } from '#src/db/repositories/persons.ts';
import type { CodeCheck, CodeTarget } from './one-time-codes.ts';
import { checkCode, sendCode } from './one-time-codes.ts';
import type { Deps } from './deps.ts';
import { newDeviceFlow } from './flow-definitions.ts';
import { consumeFlowOrUndo, orGone, readFlow, startFlow } from './flows.ts';
import { openSession, type LoginContext, type SessionClaims } from './sessions.ts';

/** The contact a new-device code goes to: a verified one only (ADR 0011). */
function verifiedContact(person: PersonRow): CodeTarget | null {
  const { id, email, phone } = person;
  if (email && person.email_verified_at)
    return { personId: id, channel: 'email', destination: email };
  if (phone && person.phone_verified_at)
    return { personId: id, channel: 'sms', destination: phone };
  return null;
}

/**
 * After the right password from an unknown device: a code to a verified contact and the flow
 * that waits for it. Null when the person has no verified contact (the caller sends them to the
 * first connection's contact step, which proves one by a code).
 */
export async function startNewDeviceLogin(
  s: Deps,
  personId: string,
  loginIdentifier: string,
): Promise<{ readonly id: string } | null> {
  const person = await findPersonById(s.pool, personId);
  const target = person ? verifiedContact(person) : null;
  if (!target) return null;
  // Over the hourly limit, the last code sent is still the one to type: the page says so.
  await sendCode(s, 'new-device', target);
  return startFlow(s, newDeviceFlow, {
    personId,
    state: { loginIdentifier, channel: target.channel },
  });
}

/** The pending login of this browser, between password and code. */
export async function readNewDeviceLogin(s: Deps, flowId: unknown) {
  const flow = await readFlow(s, newDeviceFlow, flowId);
  return flow?.personId ? flow : null;
}

/** "Renvoyer un code": to the same verified contact, within the hourly limit. */
export async function resendNewDeviceCode(s: Deps, flowId: unknown): Promise<void> {
  const flow = await readNewDeviceLogin(s, flowId);
  const person = flow?.personId ? await findPersonById(s.pool, flow.personId) : null;
  const target = person ? verifiedContact(person) : null;
  if (target) await sendCode(s, 'new-device', target);
}

export type NewDeviceConfirmation =
  | { readonly ok: true; readonly session: SessionClaims; readonly loginIdentifier: string }
  | Exclude<CodeCheck, { readonly ok: true }>
  /** No pending login: finished already (a replay, a double submit) or expired. */
  | { readonly ok: false; readonly reason: 'gone' };

/** The code: in one transaction the code and the flow are consumed and the session opened. */
export async function confirmNewDevice(
  s: Deps,
  input: { flowId: unknown; code: string; clientIp: string; login: LoginContext },
): Promise<NewDeviceConfirmation> {
  const flow = await readNewDeviceLogin(s, input.flowId);
  const personId = flow?.personId;
  if (!flow || !personId) return { ok: false, reason: 'gone' };
  const opened: { session?: SessionClaims } = {};
  const check = await orGone(
    checkCode(s, 'new-device', personId, input.code, input.clientIp, {
      // Wrong codes count on this pending login alone (as recovery does, ADR 0008).
      journey: `new-device:${flow.id}`,
      effect: async (tx) => {
        await consumeFlowOrUndo(s, flow, tx);
        opened.session = await openSession(tx, s.config.session, {
          personId,
          method: 'password',
          acr: null,
          ...input.login,
        });
      },
    }),
  );
  if (check === 'gone') return { ok: false, reason: 'gone' };
  if (!check.ok) return check;
  if (!opened.session) throw new Error('code accepted without a session');
  return { ok: true, session: opened.session, loginIdentifier: flow.state.loginIdentifier };
}
