import type { FastifyRequest } from 'fastify';
import {
  deleteFranceConnectSession,
  findFranceConnectSession,
} from '#src/db/repositories/franceconnect.ts';
import { randomToken } from '#src/franceconnect/client.ts';
import type { Principal } from '#src/domain/principal.ts';
import { startFranceConnectLogout } from '#src/services/franceconnect.ts';
import type { Services } from '#src/services/index.ts';
import { setFlowCookie } from '../../flow-cookie.ts';
import { publicOrigin } from '../../franceconnect-offer.ts';
import { paths } from '../../paths.ts';

/**
 * After the local session is revoked: the URL of the provider's end_session for a session opened
 * through FranceConnect (id_token_hint, state, post_logout_redirect_uri), or null. The state
 * is kept server-side, its flow id in a fresh cookie, checked on return.
 */
export async function franceConnectLogoutUrl(
  s: Services,
  request: FastifyRequest,
  principal: Principal,
): Promise<string | null> {
  const fc = await findFranceConnectSession(s.pool, principal.sessionHash);
  if (!fc) return null;
  await deleteFranceConnectSession(s.pool, principal.sessionHash);
  const client = s.franceConnect.client(fc.provider);
  if (!client) return null;
  const state = randomToken();
  let url: URL | null;
  try {
    url = await client.endSessionUrl({
      idTokenHint: fc.idToken,
      state,
      postLogoutRedirectUri: publicOrigin(s, request) + paths.franceConnectDeconnexion,
    });
  } catch (error) {
    // The provider is unreachable: the local session is closed all the same.
    request.log.warn({ err: error }, 'FranceConnect end_session indisponible');
    return null;
  }
  if (!url) return null;
  const flow = await startFranceConnectLogout(s, state);
  request.session.regenerate();
  setFlowCookie(request, flow);
  return url.href;
}
