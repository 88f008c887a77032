import type { Queryable } from '#src/db/pool.ts';
import { setPassword } from '#src/db/repositories/accounts.ts';
import { findPersonById, setVerifiedContact } from '#src/db/repositories/persons.ts';
import type { FlowState } from '#src/domain/flow.ts';
import type { PasswordProblem } from '#src/domain/password-policy.ts';
import { firstConnectionFlow } from './flow-definitions.ts';
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
import { checkCode, sendCode, type CodeCheck } from './one-time-codes.ts';
import { preparePassword } from './passwords.ts';
import type { Contact } from './primo-demandeur.ts';
import { openSession, type LoginContext, type SessionClaims } from './sessions.ts';

type FirstConnection = Flow<FlowState<typeof firstConnectionFlow>>;

/**
 * Enters the first connection (docs/design.md §2): after the old dossier password, an invitation code,
 * or a login whose account has no verified contact yet (`passwordSet`).
 */
export async function startFirstConnection(
  s: Deps,
  personId: string,
  how: { origin: 'ancien-mot-de-passe' | 'invitation'; passwordSet: boolean },
  db: Queryable = s.pool,
): Promise<FirstConnection> {
  return startFlow(s, firstConnectionFlow, { personId, state: { ...how, contact: null } }, db);
}

export async function readFirstConnection(
  s: Deps,
  flowId: unknown,
): Promise<(FirstConnection & { readonly personId: string }) | null> {
  const flow = await readFlow(s, firstConnectionFlow, flowId);
  const personId = flow?.personId;
  return flow && personId ? { ...flow, personId } : null;
}

/** The contact the person had on file, to prefill the contact step. */
export async function contactOnFile(
  s: Deps,
  personId: string,
): Promise<{ email: string; phone: string }> {
  const person = await findPersonById(s.pool, personId);
  return { email: person?.email ?? '', phone: person?.phone ?? '' };
}

export type FirstPassword =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'policy'; readonly problems: readonly PasswordProblem[] }
  | { readonly ok: false; readonly reason: 'gone' };

/** The personal password: set in the transaction that moves the flow past this step, once. */
export async function chooseFirstPassword(
  s: Deps,
  flowId: unknown,
  password: string,
): Promise<FirstPassword> {
  const flow = await readFirstConnection(s, flowId);
  if (!flow || flow.state.passwordSet) return { ok: false, reason: 'gone' };
  const prepared = await preparePassword(s, flow.personId, password);
  if (!prepared.ok) return { ok: false, reason: 'policy', problems: prepared.problems };
  const done = await inFlowTransaction(s.pool, async (tx) => {
    await advanceFlowOrUndo(s, flow, { state: { ...flow.state, passwordSet: true } }, tx);
    await setPassword(tx, flow.personId, prepared.hash, s.now());
  });
  return done === 'gone' ? { ok: false, reason: 'gone' } : { ok: true };
}

/** A code to the contact typed; the flow remembers which contact it awaits. */
export async function requestFirstContactCode(
  s: Deps,
  flowId: unknown,
  contact: Contact,
): Promise<'sent' | 'too-many' | 'gone'> {
  const flow = await readFirstConnection(s, flowId);
  if (!flow?.state.passwordSet) return 'gone';
  const sent = await sendCode(s, 'contact-validation', { personId: flow.personId, ...contact });
  if (sent === 'too-many') return sent;
  const moved = await advanceFlow(s, flow, { state: { ...flow.state, contact } });
  return moved ? 'sent' : 'gone';
}

export type FirstContactConfirmation =
  | (CodeCheck & { readonly ok: false })
  | { readonly ok: true; readonly session: SessionClaims }
  | 'gone';

/**
 * The code: in one transaction it is consumed, the flow too, the contact recorded as verified
 * and the session opened. A replay of this step finds no flow.
 */
export async function confirmFirstContact(
  s: Deps,
  input: { flowId: unknown; code: string; clientIp: string; login: LoginContext },
): Promise<FirstContactConfirmation> {
  const flow = await readFirstConnection(s, input.flowId);
  const contact = flow?.state.contact;
  if (!flow || !contact) return 'gone';
  const opened: { session?: SessionClaims } = {};
  const check = await orGone(
    checkCode(s, 'contact-validation', flow.personId, input.code, input.clientIp, {
      effect: async (tx, verified) => {
        // A code sent to another contact (another tab) proves that one, not the one shown here.
        if (verified.channel !== contact.channel || verified.destination !== contact.destination)
          return;
        await consumeFlowOrUndo(s, flow, tx);
        await setVerifiedContact(
          tx,
          flow.personId,
          verified.channel,
          verified.destination,
          s.now(),
        );
        opened.session = await openSession(tx, s.config.session, {
          personId: flow.personId,
          method: 'password',
          acr: null,
          ...input.login,
        });
      },
    }),
  );
  if (check === 'gone' || !check.ok) return check;
  if (!opened.session) return { ok: false, reason: 'invalid' };
  return { ok: true, session: opened.session };
}
