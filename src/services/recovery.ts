import type { Queryable } from '#src/db/pool.ts';
import { findLegacyCandidate, hasAccount, setPassword } from '#src/db/repositories/accounts.ts';
import {
  findPersonById,
  findPersonByNir,
  setVerifiedContact,
  type PersonRow,
} from '#src/db/repositories/persons.ts';
import {
  findAccountByProvisionalId,
  findPersonByProvisionalId,
} from '#src/db/repositories/provisional-ids.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import { clearAccountThrottles } from '#src/db/repositories/throttles.ts';
import type { PasswordProblem } from '#src/domain/password-policy.ts';
import { ANSWER_FLOOR_MS, withAnswerFloor } from './answer-floor.ts';
import { nirLoginIdentifier } from './authentication.ts';
import { attemptSubjects, type KnownDevices } from './devices.ts';
import { recoveryFlow } from './flow-definitions.ts';
import {
  advanceFlowOrUndo,
  consumeFlowOrUndo,
  inFlowTransaction,
  orGone,
  readFlow,
  startFlow,
} from './flows.ts';
import type { Deps } from './deps.ts';
import { sendPasswordChangedNotice } from './notices.ts';
import { checkCode, sendCode, type CodeCheck, type CodeTarget } from './one-time-codes.ts';
import { preparePassword } from './passwords.ts';
import { provisionalSubject } from './provisional-id.ts';
import { openSession, type LoginContext, type SessionClaims } from './sessions.ts';
import { accountSubject, attemptFailed, openAttempt } from './throttling.ts';

/** Every recovery request answers in this time, whether or not a code was sent. */
export const RECOVERY_ANSWER_MS = ANSWER_FLOOR_MS;

/**
 * Where a recovery code goes: a verified contact of an account; for a person who never had an
 * account (first connection, old password forgotten) or never validated one, the contact the
 * Caf has on file.
 */
function recoveryTarget(person: PersonRow): CodeTarget | null {
  const { id, email, phone } = person;
  if (email && person.email_verified_at)
    return { personId: id, channel: 'email', destination: email };
  if (phone && person.phone_verified_at)
    return { personId: id, channel: 'sms', destination: phone };
  if (email) return { personId: id, channel: 'email', destination: email };
  if (phone) return { personId: id, channel: 'sms', destination: phone };
  return null;
}

export type RecoveryStart =
  /** The journey under way (with a person, or none when nothing matched: it looks the same). */
  | { readonly ok: true; readonly flow: { readonly id: string } }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/** What the person typed to name themselves: a NIR, or a provisional identifier. */
export type RecoveryIdentifier =
  | { readonly kind: 'nir'; readonly nir: string }
  | { readonly kind: 'provisional'; readonly provisionalId: string };

export interface RecoveryRequest {
  readonly identifier: RecoveryIdentifier;
  readonly birthdate: string;
  readonly clientIp: string;
  readonly devices: KnownDevices;
}

/**
 * "Mot de passe oublié ?" (ADR 0008), for a NIR or a provisional identifier: counted per
 * identifier and birth date typed (or per known device) and per address, before anything is
 * looked up, so the throttle never depends on whether the person exists; then the person, the
 * code, and the journey's flow, under a time floor. Keyed with the birth date, a stranger who
 * knows only the identifier never uses up the owner's budget.
 */
export async function startRecovery(s: Deps, input: RecoveryRequest): Promise<RecoveryStart> {
  const loginIdentifier = loginIdentifierOf(input.identifier);
  const device = attemptSubjects(s, loginIdentifier, input.clientIp, input.devices);
  const subjects = device.knownDevice
    ? device
    : {
        account: accountSubject(
          s.secrets.throttles,
          `recovery:${loginIdentifier}:${input.birthdate}`,
        ),
        address: input.clientIp,
      };
  const now = s.now();
  const opening = await openAttempt(s.pool, 'recovery', subjects, now);
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  await attemptFailed(s.pool, 'recovery', subjects, now);
  const personId = await withAnswerFloor('recovery', RECOVERY_ANSWER_MS, async () => {
    const target = await recoveryTargetOf(s, input.identifier, input.birthdate);
    if (!target) return null;
    // A failed send must not show: the page already says a code may not come.
    await sendCode(s, 'password-recovery', target).catch(() => 'failed');
    return target.personId;
  });
  // A flow in every case (person null when nothing matched): same cookie, same redirect.
  const flow = await startFlow(s, recoveryFlow, { personId, state: { codeVerified: null } });
  return { ok: true, flow };
}

function loginIdentifierOf(identifier: RecoveryIdentifier): string {
  return identifier.kind === 'nir'
    ? nirLoginIdentifier(identifier.nir)
    : provisionalSubject(identifier.provisionalId);
}

/** Only people who may log in: an account holder, or (NIR) an allocataire/conjoint not yet migrated. */
async function recoveryTargetOf(
  s: Deps,
  identifier: RecoveryIdentifier,
  birthdate: string,
): Promise<CodeTarget | null> {
  if (identifier.kind === 'provisional') {
    const person = await findPersonByProvisionalId(s.pool, identifier.provisionalId);
    if (person?.birthdate !== birthdate) return null;
    if (!(await findAccountByProvisionalId(s.pool, identifier.provisionalId))) return null;
    return recoveryTarget(person);
  }
  const person = await findPersonByNir(s.pool, identifier.nir);
  if (person?.birthdate !== birthdate) return null;
  const eligible =
    (await hasAccount(s.pool, person.id)) ||
    (await findLegacyCandidate(s.pool, identifier.nir)) !== null;
  return eligible ? recoveryTarget(person) : null;
}

/**
 * "Renvoyer un code": a new code to the same kind of contact, within the hourly limit. Called for
 * every journey, matched or not, under the same floor as the request, and a failed send does not
 * show: the answer must not tell whether the NIR and birth date belonged to someone.
 */
export async function resendRecoveryCode(s: Deps, personId: string | null): Promise<void> {
  await withAnswerFloor('recovery-resend', RECOVERY_ANSWER_MS, async () => {
    const person = personId ? await findPersonById(s.pool, personId) : null;
    const target = person ? recoveryTarget(person) : null;
    if (target) await sendCode(s, 'password-recovery', target).catch(() => 'failed');
  });
}

/** After a new password: other sessions revoked, locks lifted (the notice follows the commit). */
async function afterPasswordReset(
  s: Deps,
  db: Queryable,
  person: PersonRow,
  keep: Buffer | null,
): Promise<void> {
  await revokeSessionsOf(db, person.id, 'reinitialisation-mot-de-passe', keep);
  // A new password is also the unlock path of a locked account (issue 3, CNIL 2022-100).
  const subjects = [
    `code:${person.id}`,
    ...(person.nir ? [`nir:${person.nir}`] : []),
    ...(person.provisional_id ? [`provisional:${person.provisional_id}`] : []),
  ];
  for (const subject of subjects)
    await clearAccountThrottles(db, accountSubject(s.secrets.throttles, subject));
}

/** The recovery of this browser, at the code step (any person, or none: it looks the same). */
export async function readRecovery(s: Deps, flowId: unknown) {
  return readFlow(s, recoveryFlow, flowId);
}

/** The recovery of this browser once its code was accepted: ready for a new password. */
export async function readVerifiedRecovery(s: Deps, flowId: unknown) {
  const flow = await readFlow(s, recoveryFlow, flowId);
  return flow?.personId && flow.state.codeVerified ? flow : null;
}

/** The code step: the code and the flow's step move together, in one transaction. */
export async function verifyRecoveryCode(
  s: Deps,
  flowId: unknown,
  code: string,
  clientIp: string,
): Promise<CodeCheck | 'gone'> {
  const flow = await readFlow(s, recoveryFlow, flowId);
  if (!flow) return 'gone';
  return orGone(
    checkCode(s, 'password-recovery', flow.personId, code, clientIp, {
      // This journey's wrong codes count on it alone: no key shared by every unknown person,
      // and a stranger's journey never uses up the owner's (ADR 0008). Stored keyed-hashed.
      journey: `recovery:${flow.id}`,
      effect: async (tx, verified) => {
        await advanceFlowOrUndo(s, flow, { state: { codeVerified: verified } }, tx);
      },
    }),
  );
}

export type RecoveryCompletion =
  | { readonly ok: true; readonly session: SessionClaims }
  | { readonly ok: false; readonly reason: 'policy'; readonly problems: readonly PasswordProblem[] }
  | { readonly ok: false; readonly reason: 'gone' };

/**
 * The new password. In one transaction: the flow consumed (a replayed cookie finds nothing),
 * the password set, the contact just proven recorded, the other sessions revoked, locks lifted
 * and this browser's session opened; the notice is queued in the same transaction.
 */
export async function completeRecovery(
  s: Deps,
  input: { flowId: unknown; password: string; login: LoginContext },
): Promise<RecoveryCompletion> {
  const flow = await readVerifiedRecovery(s, input.flowId);
  const personId = flow?.personId;
  const verified = flow?.state.codeVerified;
  if (!flow || !personId || !verified) return { ok: false, reason: 'gone' };
  const prepared = await preparePassword(s, personId, input.password);
  if (!prepared.ok) return { ok: false, reason: 'policy', problems: prepared.problems };
  const now = s.now();
  const done = await inFlowTransaction(s.pool, async (tx) => {
    await consumeFlowOrUndo(s, flow, tx);
    const hadAccount = await hasAccount(tx, personId);
    await setPassword(tx, personId, prepared.hash, now);
    // The code just proved this contact belongs to the person.
    await setVerifiedContact(tx, personId, verified.channel, verified.destination, now);
    if (hadAccount) {
      await afterPasswordReset(s, tx, prepared.person, null);
      // In the outbox with the change itself: an SMTP outage cannot lose this notice.
      await sendPasswordChangedNotice(s, prepared.person, tx);
    }
    const session = await openSession(tx, s.config.session, {
      personId,
      method: 'password',
      acr: null,
      ...input.login,
    });
    return { session, hadAccount };
  });
  if (done === 'gone') return { ok: false, reason: 'gone' };
  return { ok: true, session: done.session };
}
