import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from './deps.ts';
import { closeFranceConnectSession, type ProviderLogout } from './franceconnect.ts';
import { closeSession } from './sessions.ts';

/**
 * "Se déconnecter": the session row revoked first (a copy of the cookie is worthless from now
 * on), then, for a session opened through FranceConnect, the provider's logout.
 */
export async function logOut(
  s: Deps,
  principal: Principal,
  postLogoutRedirectUri: string,
): Promise<ProviderLogout> {
  await closeSession(s.pool, principal);
  return closeFranceConnectSession(s, principal, postLogoutRedirectUri);
}
