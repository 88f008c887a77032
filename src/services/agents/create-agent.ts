import { randomBytes } from 'node:crypto';
import { generateSecret } from 'otplib';
import { insertAgent } from '#src/db/repositories/agents.ts';
import type { AgentRole } from '#src/domain/agent-access.ts';
import type { Deps } from '../deps.ts';

export type CreateAgentResult =
  | { readonly ok: true; readonly password: string; readonly totpSecret: string }
  | { readonly ok: false; readonly reason: 'login-taken' | 'login-format' };

/**
 * A new agent (`npm run agent -- creer-agent`): a random first password and TOTP secret, shown
 * once by the command; the agent enrols the secret (QR code) at the first login.
 */
export async function createAgent(
  s: Deps,
  input: { login: string; givenName: string; familyName: string; role: AgentRole },
): Promise<CreateAgentResult> {
  const login = input.login.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(login)) return { ok: false, reason: 'login-format' };
  // 18 random bytes: 24 base64url characters, the top of the password bounds.
  const password = randomBytes(18).toString('base64url');
  const totpSecret = generateSecret();
  const created = await insertAgent(s.pool, {
    login,
    passwordHash: await s.hasher.hash(password),
    givenName: input.givenName.trim(),
    familyName: input.familyName.trim(),
    role: input.role,
    totpSecret,
  });
  return created ? { ok: true, password, totpSecret } : { ok: false, reason: 'login-taken' };
}
