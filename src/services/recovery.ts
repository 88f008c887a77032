import { findLegacyCandidate, hasAccount } from '#src/db/repositories/accounts.ts';
import { findPersonById, findPersonByNir, type PersonRow } from '#src/db/repositories/persons.ts';
import { revokeSessionsOf } from '#src/db/repositories/sessions.ts';
import { clearAccountThrottles } from '#src/db/repositories/throttles.ts';
import { ANSWER_FLOOR_MS, withAnswerFloor } from './answer-floor.ts';
import { nirLoginIdentifier } from './authentication.ts';
import { attemptSubjects, type KnownDevices } from './devices.ts';
import type { Services } from './index.ts';
import { sendPasswordChangedNotice } from './notices.ts';
import { sendCode, type CodeTarget } from './one-time-codes.ts';
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
  /** The person to remember in the journey: null when nothing matches (same page either way). */
  | { readonly ok: true; readonly personId: string | null }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

export interface RecoveryRequest {
  /** `nir:…` or `provisional:…`: what was typed, as the login throttles name it. */
  readonly loginIdentifier: string;
  readonly birthdate: string;
  readonly clientIp: string;
  readonly devices: KnownDevices;
}

/**
 * A "Mot de passe oublié ?" request (ADR 0008): counted per identifier and birth date typed (or
 * per known device) and per address, before anything is looked up, so the throttle never
 * depends on whether the person exists; then `findTarget` and the code, under a time floor.
 * Keyed with the birth date, a stranger who knows only the NIR never uses up the owner's budget.
 */
export async function requestRecoveryCode(
  s: Services,
  input: RecoveryRequest,
  findTarget: () => Promise<CodeTarget | null>,
): Promise<RecoveryStart> {
  const device = attemptSubjects(s, input.loginIdentifier, input.clientIp, input.devices);
  const subjects = device.knownDevice
    ? device
    : {
        account: accountSubject(
          s.secrets.throttles,
          `recovery:${input.loginIdentifier}:${input.birthdate}`,
        ),
        address: input.clientIp,
      };
  const now = s.now();
  const opening = await openAttempt(s.pool, 'recovery', subjects, now);
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  await attemptFailed(s.pool, 'recovery', subjects, now);
  return withAnswerFloor('recovery', RECOVERY_ANSWER_MS, async () => {
    const target = await findTarget();
    if (!target) return { ok: true, personId: null };
    // A failed send must not show: the page already says a code may not come.
    await sendCode(s, 'password-recovery', target).catch(() => 'failed');
    return { ok: true, personId: target.personId };
  });
}

/** NIR + date of birth → a code to the person's contact. */
export async function startRecovery(
  s: Services,
  input: { nir: string; birthdate: string; clientIp: string; devices: KnownDevices },
): Promise<RecoveryStart> {
  const request = { ...input, loginIdentifier: nirLoginIdentifier(input.nir) };
  return requestRecoveryCode(s, request, async () => {
    const person = await findPersonByNir(s.pool, input.nir);
    if (person?.birthdate !== input.birthdate) return null;
    // Only people who may log in: an account holder, or an allocataire/conjoint not yet migrated.
    const eligible =
      (await hasAccount(s.pool, person.id)) ||
      (await findLegacyCandidate(s.pool, input.nir)) !== null;
    return eligible ? recoveryTarget(person) : null;
  });
}

/** "Renvoyer un code": a new code to the same kind of contact, within the hourly limit. */
export async function resendRecoveryCode(s: Services, personId: string): Promise<void> {
  const person = await findPersonById(s.pool, personId);
  const target = person ? recoveryTarget(person) : null;
  if (target) await sendCode(s, 'password-recovery', target);
}

/** After a new password: other sessions revoked, locks lifted, the person told. */
export async function afterPasswordReset(
  s: Services,
  person: PersonRow,
  keep: Buffer | null,
): Promise<void> {
  await revokeSessionsOf(s.pool, person.id, 'reinitialisation-mot-de-passe', keep);
  // A new password is also the unlock path of a locked account (issue 3, CNIL 2022-100).
  const subjects = [
    `code:${person.id}`,
    ...(person.nir ? [`nir:${person.nir}`] : []),
    ...(person.provisional_id ? [`provisional:${person.provisional_id}`] : []),
  ];
  for (const subject of subjects)
    await clearAccountThrottles(s.pool, accountSubject(s.secrets.throttles, subject));
  await sendPasswordChangedNotice(s, person);
}
