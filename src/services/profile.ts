import { withTransaction } from '#src/db/pool.ts';
import { setPassword } from '#src/db/repositories/accounts.ts';
import { recentAuthEvents, type AuthOutcome } from '#src/db/repositories/auth-events.ts';
import type { CodeChannel } from '#src/db/repositories/one-time-codes.ts';
import {
  clearContact,
  findPersonById,
  lockPersonRow,
  setVerifiedContact,
  type PersonRow,
} from '#src/db/repositories/persons.ts';
import {
  activeSessionsOf,
  revokeSessionOf,
  revokeSessionsOf,
} from '#src/db/repositories/sessions.ts';
import { findActivePasswordHash } from '#src/db/repositories/strong-auth.ts';
import type { PasswordProblem } from '#src/domain/password-policy.ts';
import type { AuthMethod, Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import { contactChangeFlow } from './flow-definitions.ts';
import { consumeFlowOrUndo, FlowGone, orGone, readFlow, startFlow } from './flows.ts';
import { notify, sendNotice, sendPasswordChangedNotice } from './notices.ts';
import { checkCode, sendCode, type CodeCheck } from './one-time-codes.ts';
import { preparePassword } from './passwords.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';
import { describeUserAgent } from './user-agents.ts';

/** How many authentication events "Historique de connexion" shows. */
export const HISTORY_LENGTH = 20;

export interface ContactLine {
  readonly value: string | null;
  readonly verified: boolean;
  /** False for the last verified contact: the account would have nowhere to send a code. */
  readonly removable: boolean;
}

export interface ProfileContacts {
  readonly email: ContactLine;
  readonly phone: ContactLine;
}

function contactsOf(person: PersonRow): ProfileContacts {
  const emailVerified = Boolean(person.email && person.email_verified_at);
  const phoneVerified = Boolean(person.phone && person.phone_verified_at);
  return {
    email: {
      value: person.email,
      verified: emailVerified,
      removable: person.email !== null && (!emailVerified || phoneVerified),
    },
    phone: {
      value: person.phone,
      verified: phoneVerified,
      removable: person.phone !== null && (!phoneVerified || emailVerified),
    },
  };
}

export async function loadContacts(s: Deps, principal: Principal): Promise<ProfileContacts> {
  const person = await findPersonById(s.pool, principal.personId);
  if (!person) throw new Error('principal of a missing person');
  return contactsOf(person);
}

export interface SessionLine {
  readonly id: string;
  readonly method: AuthMethod;
  readonly startedAt: Date;
  readonly lastSeenAt: Date;
  readonly device: string;
  readonly current: boolean;
}

/** "Mes connexions": this person's live sessions only (the query filters on the principal). */
export async function listSessions(s: Deps, principal: Principal): Promise<SessionLine[]> {
  const rows = await activeSessionsOf(s.pool, principal.personId, s.config.session.idleMs);
  return rows.map((row) => ({
    id: row.publicId,
    method: row.method,
    startedAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    device: describeUserAgent(row.userAgent),
    current: row.idHash.equals(principal.sessionHash),
  }));
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ends one of this person's other sessions; false when it is not theirs, or not live. */
export async function endSession(s: Deps, principal: Principal, id: string): Promise<boolean> {
  if (!SESSION_ID.test(id)) return false;
  return revokeSessionOf(
    s.pool,
    principal.personId,
    id,
    'fin-depuis-profil',
    principal.sessionHash,
  );
}

/** Ends every session of this person but the one making the request. */
export async function endOtherSessions(s: Deps, principal: Principal): Promise<number> {
  return revokeSessionsOf(s.pool, principal.personId, 'fin-depuis-profil', principal.sessionHash);
}

export interface HistoryLine {
  readonly at: Date;
  readonly outcome: AuthOutcome;
  readonly method: AuthMethod;
  readonly device: string;
}

export async function loginHistory(s: Deps, principal: Principal): Promise<HistoryLine[]> {
  const rows = await recentAuthEvents(s.pool, principal.personId, HISTORY_LENGTH);
  return rows.map((row) => ({
    at: row.at,
    outcome: row.outcome,
    method: row.method,
    device: describeUserAgent(row.userAgent),
  }));
}

export type PasswordChange =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'no-password' | 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date }
  | {
      readonly ok: false;
      readonly reason: 'policy';
      readonly problems: readonly PasswordProblem[];
    };

/**
 * A new password, after the current one (throttled like the step-up: a wrong one is a failed
 * attempt on this session's counter). In one transaction: the password, every other session
 * revoked, the notice.
 */
export async function changePassword(
  s: Deps,
  principal: Principal,
  input: { current: string; next: string; clientIp: string },
): Promise<PasswordChange> {
  const hash = await findActivePasswordHash(s.pool, principal.personId);
  if (!hash) return { ok: false, reason: 'no-password' };
  // A live session is a known device (ADR 0008): its own budget, never locked by strangers.
  const subjects = {
    account: accountSubject(
      s.secrets.throttles,
      `session:${principal.sessionHash.toString('hex')}`,
    ),
    address: input.clientIp,
    knownDevice: true,
  };
  const opening = await openAttempt(s.pool, 'password', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  if (!(await s.hasher.verify(hash, input.current))) {
    await attemptFailed(s.pool, 'password', subjects, s.now());
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'password', subjects);
  const prepared = await preparePassword(s, principal.personId, input.next);
  if (!prepared.ok) return { ok: false, reason: 'policy', problems: prepared.problems };
  await withTransaction(s.pool, async (tx) => {
    await setPassword(tx, principal.personId, prepared.hash, s.now());
    await revokeSessionsOf(
      tx,
      principal.personId,
      'changement-mot-de-passe',
      principal.sessionHash,
    );
    await sendPasswordChangedNotice(s, prepared.person, tx);
  });
  return { ok: true };
}

export interface NewContact {
  readonly channel: CodeChannel;
  readonly destination: string;
}

export type ContactChangeStart =
  | { readonly ok: true; readonly flow: { readonly id: string } }
  | { readonly ok: false; readonly reason: 'unchanged' | 'too-many-codes' };

/** A new e-mail or mobile: a code sent to it, the change pending in a flow until that code. */
export async function startContactChange(
  s: Deps,
  principal: Principal,
  contact: NewContact,
): Promise<ContactChangeStart> {
  const person = await findPersonById(s.pool, principal.personId);
  if (!person) throw new Error('principal of a missing person');
  const current = contact.channel === 'email' ? person.email : person.phone;
  const verified =
    contact.channel === 'email' ? person.email_verified_at : person.phone_verified_at;
  if (current === contact.destination && verified) return { ok: false, reason: 'unchanged' };
  const sent = await sendCode(s, 'contact-change', { personId: person.id, ...contact });
  if (sent === 'too-many') return { ok: false, reason: 'too-many-codes' };
  const flow = await startFlow(s, contactChangeFlow, { personId: person.id, state: contact });
  return { ok: true, flow };
}

/** The contact change of this browser awaiting its code, if it belongs to this person. */
export async function readContactChange(s: Deps, principal: Principal, flowId: unknown) {
  const flow = await readFlow(s, contactChangeFlow, flowId);
  return flow?.personId === principal.personId ? flow : null;
}

const CHANNEL_WORDS = { email: 'adresse électronique', sms: 'numéro de mobile' } as const;

/**
 * The code sent to the new contact: in one transaction the code and the flow are consumed, the
 * contact recorded as verified, and a notice queued to the contact it replaces.
 */
export async function confirmContactChange(
  s: Deps,
  principal: Principal,
  input: { flowId: unknown; code: string; clientIp: string },
): Promise<CodeCheck | 'gone'> {
  const flow = await readContactChange(s, principal, input.flowId);
  if (!flow) return 'gone';
  const wanted = flow.state;
  return orGone(
    checkCode(s, 'contact-change', principal.personId, input.code, input.clientIp, {
      effect: async (tx, verified) => {
        // The latest code went to another new contact (two tabs): this flow is stale.
        if (verified.channel !== wanted.channel || verified.destination !== wanted.destination)
          throw new FlowGone();
        await consumeFlowOrUndo(s, flow, tx);
        const before = await lockPersonRow(tx, principal.personId);
        if (!before) throw new Error('principal of a missing person');
        await setVerifiedContact(
          tx,
          principal.personId,
          wanted.channel,
          wanted.destination,
          s.now(),
        );
        const old = wanted.channel === 'email' ? before.email : before.phone;
        if (old && old !== wanted.destination) {
          const what = CHANNEL_WORDS[wanted.channel];
          await sendNotice(s, tx, {
            channel: wanted.channel,
            to: old,
            subject: 'Vos coordonnées Mon Compte ont été modifiées',
            text: `Bonjour ${before.given_name},\n\nVotre ${what} vient d’être remplacé(e) sur Mon Compte : ce message est le dernier envoyé à cette adresse ou à ce numéro.\n\nSi vous n’êtes pas à l’origine de ce changement, contactez votre Caf sans attendre.`,
          });
        }
      },
    }),
  );
}

export type ContactRemoval = 'removed' | 'last-verified' | 'absent';

/** Removes the e-mail or the mobile, never the last verified contact; the person is told. */
export async function removeContact(
  s: Deps,
  principal: Principal,
  channel: CodeChannel,
): Promise<ContactRemoval> {
  return withTransaction(s.pool, async (tx): Promise<ContactRemoval> => {
    const person = await lockPersonRow(tx, principal.personId);
    if (!person) throw new Error('principal of a missing person');
    const line = contactsOf(person)[channel === 'email' ? 'email' : 'phone'];
    if (line.value === null) return 'absent';
    if (!line.removable) return 'last-verified';
    await clearContact(tx, person.id, channel);
    const after = await lockPersonRow(tx, person.id);
    if (after)
      await notify(
        s,
        after,
        'Vos coordonnées Mon Compte ont été modifiées',
        `Bonjour ${person.given_name},\n\nVotre ${CHANNEL_WORDS[channel]} ${line.value} vient d’être supprimé(e) de Mon Compte.\n\nSi vous n’êtes pas à l’origine de ce changement, contactez votre Caf sans attendre.`,
        tx,
      );
    return 'removed';
  });
}
