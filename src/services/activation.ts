import { withTransaction } from '#src/db/pool.ts';
import {
  consumeInvitation,
  lockLiveInvitationByNir,
  recordInvitationFailure,
} from '#src/db/repositories/invitations.ts';
import { INVITATION_MAX_FAILURES, invitationCodeMatches } from '#src/domain/invitation.ts';
import { startFirstConnection } from './first-connection.ts';
import type { Deps } from './deps.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from './throttling.ts';

export type ActivationResult =
  /** The first-connection flow, started in the transaction that consumed the invitation. */
  | { readonly ok: true; readonly personId: string; readonly flow: { readonly id: string } }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * An invited member proves who they are with their own NIR and the activation code: the code
 * must have been issued to the person of that NIR. Throttled like the other codes.
 */
export async function activateInvitation(
  s: Deps,
  input: { nir: string; code: string; clientIp: string },
): Promise<ActivationResult> {
  const subjects = {
    account: accountSubject(s.secrets.throttles, `activation:${input.nir}`),
    address: input.clientIp,
  };
  const now = s.now();
  const opening = await openAttempt(s.pool, 'code', subjects, now);
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  const activated = await withTransaction(s.pool, async (tx) => {
    const invitation = await lockLiveInvitationByNir(tx, input.nir, now, INVITATION_MAX_FAILURES);
    if (!invitation) return null;
    if (
      !invitationCodeMatches(s.secrets.codes, invitation.personId, input.code, invitation.codeHash)
    ) {
      await recordInvitationFailure(tx, invitation.id);
      return null;
    }
    await consumeInvitation(tx, invitation.id, now);
    const flow = await startFirstConnection(
      s,
      invitation.personId,
      { origin: 'invitation', passwordSet: false },
      tx,
    );
    return { personId: invitation.personId, flow };
  });
  if (!activated) {
    await attemptFailed(s.pool, 'code', subjects, now);
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'code', subjects);
  return { ok: true, ...activated };
}
