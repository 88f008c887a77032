import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { withTransaction } from '#src/db/pool.ts';
import {
  acceptTotpStep,
  findAgentById,
  findAgentByLogin,
  lockAgent,
  setTotpSecret,
} from '#src/db/repositories/agents.ts';
import type { Deps } from '../deps.ts';
import type { LoginContext } from '../sessions.ts';
import { accountSubject, attemptFailed, attemptSucceeded, openAttempt } from '../throttling.ts';
import { openAgentSession, type AgentClaims } from './agent-sessions.ts';

export type AgentPasswordOutcome =
  | { readonly ok: true; readonly agentId: string }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/** The throttle subjects of the agents' realm: never shared with a person's NIR. */
const passwordSubject = (s: Deps, login: string, clientIp: string) => ({
  account: accountSubject(s.secrets.throttles, `agent:${login}`),
  address: clientIp,
});
const codeSubject = (s: Deps, agentId: string, clientIp: string) => ({
  account: accountSubject(s.secrets.throttles, `agent-totp:${agentId}`),
  address: clientIp,
});

/**
 * Identifier + password, throttled like the public login (per identifier typed and per address),
 * one argon2 verify whatever happens, the same answer for an unknown login.
 */
export async function checkAgentPassword(
  s: Deps,
  input: { login: string; password: string; clientIp: string },
): Promise<AgentPasswordOutcome> {
  const login = input.login.trim().toLowerCase();
  const subjects = passwordSubject(s, login, input.clientIp);
  const opening = await openAttempt(s.pool, 'password', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  const agent = await findAgentByLogin(s.pool, login);
  const good =
    agent && agent.status === 'active'
      ? await s.hasher.verify(agent.passwordHash, input.password)
      : await s.hasher.verifyNothing(input.password);
  if (!agent || !good) {
    await attemptFailed(s.pool, 'password', subjects, s.now());
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'password', subjects);
  return { ok: true, agentId: agent.id };
}

export interface Enrolment {
  readonly secret: string;
  /** The otpauth:// URI as an inline SVG QR code (no script, no image request: CSP-safe). */
  readonly qrSvg: string;
}

/**
 * The second step's page: null when the agent already uses an authenticator app; otherwise the
 * secret to enrol (kept until the first code is accepted, then never shown again).
 */
export async function agentEnrolment(s: Deps, agentId: string): Promise<Enrolment | null> {
  const agent = await findAgentById(s.pool, agentId);
  if (!agent || agent.totpEnrolledAt) return null;
  let secret = agent.totpSecret;
  if (!secret) {
    await setTotpSecret(s.pool, agentId, generateSecret());
    secret = (await findAgentById(s.pool, agentId))?.totpSecret ?? null;
    if (!secret) return null;
  }
  const uri = generateURI({ issuer: 'Mon Compte - Caf', label: agent.login, secret });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, width: 200 });
  return { secret, qrSvg };
}

export type AgentCodeOutcome =
  | { readonly ok: true; readonly session: AgentClaims }
  | { readonly ok: false; readonly reason: 'invalid' }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAt: Date };

/**
 * The TOTP code (RFC 6238, one step of clock drift either way), accepted once only: the step of
 * the last accepted code is stored and a code of that step or an earlier one is refused. On
 * success, the agent's session row in the same transaction.
 */
export async function checkAgentCode(
  s: Deps,
  input: { agentId: string; code: string; clientIp: string; context: LoginContext },
): Promise<AgentCodeOutcome> {
  const subjects = codeSubject(s, input.agentId, input.clientIp);
  const opening = await openAttempt(s.pool, 'code', subjects, s.now());
  if (!opening.allowed) return { ok: false, reason: 'throttled', retryAt: opening.retryAt };
  const token = input.code.replace(/\s+/g, '');
  const session = /^\d{6}$/.test(token)
    ? await withTransaction(s.pool, async (tx) => {
        const agent = await lockAgent(tx, input.agentId);
        if (!agent?.totpSecret || agent.status !== 'active') return null;
        const result = await verify({
          secret: agent.totpSecret,
          token,
          epoch: Math.floor(s.now().getTime() / 1000),
          epochTolerance: 30,
          ...(agent.lastTotpStep === null ? {} : { afterTimeStep: agent.lastTotpStep }),
        });
        // A TOTP check always reports its time step; without one nothing could refuse a replay.
        if (!result.valid || !('timeStep' in result)) return null;
        await acceptTotpStep(tx, agent.id, result.timeStep);
        return openAgentSession(s, tx, agent.id, input.context);
      })
    : null;
  if (!session) {
    await attemptFailed(s.pool, 'code', subjects, s.now());
    return { ok: false, reason: 'invalid' };
  }
  await attemptSucceeded(s.pool, 'code', subjects);
  return { ok: true, session };
}
