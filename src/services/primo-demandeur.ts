import { randomUUID } from 'node:crypto';
import { withTransaction } from '#src/db/pool.ts';
import type { CodeChannel } from '#src/db/repositories/one-time-codes.ts';
import { setVerifiedContact } from '#src/db/repositories/persons.ts';
import {
  findNirHolder,
  insertAccount,
  insertSelfRegisteredPerson,
  lockNirCreation,
  lockPendingSelfRegistration,
  retakeSelfRegisteredPerson,
  type NewIdentity,
  type NirHolder,
} from '#src/db/repositories/primo-demandeurs.ts';
import type { PasswordProblem } from '#src/domain/password-policy.ts';
import type { FlowState } from '#src/domain/flow.ts';
import { ANSWER_FLOOR_MS, withAnswerFloor } from './answer-floor.ts';
import { newPasswordProblems } from './passwords.ts';
import { creationFlow } from './flow-definitions.ts';
import {
  advanceFlow,
  advanceFlowOrUndo,
  consumeFlowOrUndo,
  inFlowTransaction,
  orGone,
  readFlow,
  startFlow,
  type Flow,
} from './flows.ts';
import type { Deps } from './deps.ts';
import { sendNotice } from './notices.ts';
import { checkCode, sendCode, type CodeCheck } from './one-time-codes.ts';
import { openSession, type LoginContext, type SessionClaims } from './sessions.ts';
import { accountSubject, attemptFailed, openAttempt } from './throttling.ts';

export type { NewIdentity } from '#src/db/repositories/primo-demandeurs.ts';

/** The lifetime of the journey (its flow): an attempt older than this is abandoned. */
export const CREATION_JOURNEY_MS = 20 * 60_000;
/**
 * Every answer to "send me a code" takes at least this long, so that creating a person and
 * sending a code cannot be told apart, by its timing, from noticing the holder of a known NIR.
 */
export const CREATION_ANSWER_MS = ANSWER_FLOOR_MS;

export interface Contact {
  readonly channel: CodeChannel;
  readonly destination: string;
}

export type CreationRequest =
  /**
   * The same answer whether or not the NIR can get an account: `personId` is the new person,
   * or an id that matches nobody (the code page then accepts no code).
   */
  | { readonly ok: true; readonly personId: string }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * "Créer mon compte", once identity and contact are given. A NIR nobody holds (or an abandoned
 * attempt) gets a person with no dossier and a code to the contact typed. A NIR the Caf already
 * knows — an account, a dossier member without an account yet, an attempt under way — gets no
 * code: its holder is told on the contact on file. Both answer alike, in the same time.
 * `journeyPersonId` is the id this journey was given by a previous call (a resend), if any.
 */
export async function requestAccountCreation(
  s: Deps,
  input: {
    identity: NewIdentity;
    contact: Contact;
    journeyPersonId: string | null;
    clientIp: string;
  },
): Promise<CreationRequest> {
  const subjects = {
    account: accountSubject(s.secrets.throttles, `creation:${input.identity.nir}`),
    address: input.clientIp,
  };
  const now = s.now();
  // Every request counts, per NIR typed and per address: a bound on probing and on notices.
  const opening = await openAttempt(s.pool, 'code', subjects, now);
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  await attemptFailed(s.pool, 'code', subjects, now);
  const personId = await withAnswerFloor('creation', CREATION_ANSWER_MS, () =>
    createOrNotice(s, input, now),
  );
  return { ok: true, personId };
}

/** The two branches of a creation request, which the caller makes equally long. */
async function createOrNotice(
  s: Deps,
  input: { identity: NewIdentity; contact: Contact; journeyPersonId: string | null },
  now: Date,
): Promise<string> {
  type Outcome = { readonly created: string } | { readonly known: NirHolder | null };
  const outcome = await withTransaction(s.pool, async (tx): Promise<Outcome> => {
    await lockNirCreation(tx, input.identity.nir);
    const holder = await findNirHolder(tx, input.identity.nir);
    if (!holder) {
      const id = await insertSelfRegisteredPerson(tx, input.identity, now);
      return id ? { created: id } : { known: null };
    }
    if (isPending(holder) && holder.personId === input.journeyPersonId) {
      return { created: holder.personId };
    }
    const abandonedBefore = new Date(now.getTime() - CREATION_JOURNEY_MS);
    if (
      isPending(holder) &&
      holder.selfRegisteredAt &&
      holder.selfRegisteredAt < abandonedBefore &&
      (await retakeSelfRegisteredPerson(tx, holder.personId, input.identity, now, abandonedBefore))
    ) {
      return { created: holder.personId };
    }
    return { known: holder };
  });

  let personId: string;
  if ('created' in outcome) {
    personId = outcome.created;
    // Over the hourly limit, or if the message cannot leave, the page stays the same (it says a
    // code may not come): an error page here would tell this branch from the other.
    await sendCode(s, 'contact-validation', { personId, ...input.contact }).catch(() => 'failed');
  } else {
    personId = input.journeyPersonId ?? randomUUID();
    if (outcome.known) await sendCreationAttemptNotice(s, outcome.known).catch(() => undefined);
  }
  return personId;
}

function isPending(holder: NirHolder): boolean {
  return holder.selfRegisteredAt !== null && !holder.hasAccount && !holder.isMember;
}

/**
 * The holder of a NIR is told, on the contact the Caf has on file, of an attempt with it; on the
 * pool, since that branch writes nothing to be in a transaction with.
 */
async function sendCreationAttemptNotice(s: Deps, holder: NirHolder): Promise<void> {
  const channel: CodeChannel | null = holder.email ? 'email' : holder.phone ? 'sms' : null;
  const to = holder.email ?? holder.phone;
  if (!channel || !to) return;
  const when = new Intl.DateTimeFormat('fr-FR', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(s.now());
  const ifYou = holder.hasAccount
    ? 'Si c’était vous : vous avez déjà un compte. Connectez-vous avec votre numéro de sécurité sociale et votre mot de passe, ou choisissez-en un nouveau avec « Mot de passe oublié ? ».'
    : 'Si c’était vous : vous êtes déjà connu(e) de la Caf. Pour votre première connexion, utilisez votre numéro de sécurité sociale et l’ancien mot de passe Caf à 8 chiffres de votre dossier, ou l’invitation reçue de l’allocataire, ou contactez votre Caf.';
  await sendNotice(s, s.pool, {
    channel,
    to,
    subject: 'Tentative de création de compte avec votre numéro de sécurité sociale',
    text: `Bonjour ${holder.givenName},\n\nQuelqu’un a tenté de créer un compte Mon Compte avec votre numéro de sécurité sociale le ${when}. Aucun compte n’a été créé et aucune information vous concernant n’a été communiquée.\n\n${ifYou}\n\nSi ce n’était pas vous, vous n’avez rien à faire. Si cela se reproduit, contactez votre Caf.`,
  });
}

type Creation = Flow<FlowState<typeof creationFlow>>;

/** Step 1 done (identity consistent with the NIR): the journey starts, bound to no one yet. */
export async function startAccountCreation(s: Deps, identity: NewIdentity): Promise<Creation> {
  return startFlow(s, creationFlow, {
    personId: null,
    state: { identity, contact: null, codeVerified: false },
  });
}

export async function readCreation(s: Deps, flowId: unknown): Promise<Creation | null> {
  return readFlow(s, creationFlow, flowId);
}

/** After requestAccountCreation: the flow is bound to its person (or decoy) and awaits the code. */
export async function awaitCreationCode(
  s: Deps,
  flow: Creation,
  personId: string,
  contact: Contact,
): Promise<boolean> {
  const next = { ...flow.state, contact, codeVerified: false };
  return (await advanceFlow(s, flow, { personId, state: next })) !== null;
}

/**
 * The code, consumed in the transaction that moves the flow past this step. It must have gone
 * to the contact of this journey (not one typed in another tab): `sameContact`.
 */
export async function verifyCreationCode(
  s: Deps,
  flowId: unknown,
  code: string,
  clientIp: string,
): Promise<(CodeCheck & { readonly sameContact: boolean }) | 'gone'> {
  const flow = await readCreation(s, flowId);
  const contact = flow?.state.contact;
  if (!flow?.personId || !contact) return 'gone';
  const check = await orGone(
    checkCode(s, 'contact-validation', flow.personId, code, clientIp, {
      effect: async (tx, verified) => {
        if (verified.channel !== contact.channel || verified.destination !== contact.destination)
          return;
        await advanceFlowOrUndo(s, flow, { state: { ...flow.state, codeVerified: true } }, tx);
      },
    }),
  );
  if (check === 'gone') return check;
  const sameContact =
    check.ok && check.channel === contact.channel && check.destination === contact.destination;
  return { ...check, sameContact };
}

export type CreationCompletion =
  | { readonly ok: true; readonly session: SessionClaims }
  | { readonly ok: false; readonly reason: 'policy'; readonly problems: readonly PasswordProblem[] }
  /** The attempt is no longer open (completed in another tab, or a dossier appeared). */
  | { readonly ok: false; readonly reason: 'closed' }
  /** No live flow past the code step: finished already (a replay, a double submit) or expired. */
  | { readonly ok: false; readonly reason: 'gone' };

/**
 * The last step, after the contact was proven by a code: in one transaction the flow is
 * consumed, the account created, the contact recorded as verified and the session opened.
 */
export async function completeAccountCreation(
  s: Deps,
  input: { flowId: unknown; password: string; login: LoginContext },
): Promise<CreationCompletion> {
  const flow = await readCreation(s, input.flowId);
  const { personId } = flow ?? {};
  const contact = flow?.state.contact;
  if (!flow?.state.codeVerified || !personId || !contact) return { ok: false, reason: 'gone' };
  const { nir, birthdate, givenNames, familyName } = flow.state.identity;
  const problems = newPasswordProblems(input.password, {
    nir,
    birthdate,
    givenNames,
    familyName,
    email: contact.channel === 'email' ? contact.destination : null,
  });
  if (problems.length > 0) return { ok: false, reason: 'policy', problems };
  const hash = await s.hasher.hash(input.password);
  const now = s.now();
  const done = await inFlowTransaction(s.pool, async (tx): Promise<CreationCompletion> => {
    await consumeFlowOrUndo(s, flow, tx);
    const pending = await lockPendingSelfRegistration(tx, personId, nir);
    if (!pending) return { ok: false, reason: 'closed' };
    if (!(await insertAccount(tx, pending.id, hash, now))) return { ok: false, reason: 'closed' };
    await setVerifiedContact(tx, pending.id, contact.channel, contact.destination, now);
    const session = await openSession(tx, s.config.session, {
      personId: pending.id,
      method: 'password',
      acr: null,
      ...input.login,
    });
    return { ok: true, session };
  });
  return done === 'gone' ? { ok: false, reason: 'gone' } : done;
}
