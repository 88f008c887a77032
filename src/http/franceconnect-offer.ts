import type { FastifyRequest } from 'fastify';
import type { Services } from '#src/services/index.ts';

/** Our origin as the browser sees it: PUBLIC_URL, or (outside production) the request's. */
export function publicOrigin(s: Services, request: FastifyRequest): string {
  return s.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Which FranceConnect buttons a page shows. */
export function franceConnectOffer(s: Services): {
  franceconnect: boolean;
  franceconnectPlus: boolean;
} {
  return {
    franceconnect: s.franceConnect.client('franceconnect') !== null,
    franceconnectPlus: s.franceConnect.client('franceconnect-plus') !== null,
  };
}
