import type { FastifyRequest } from 'fastify';
import type { Config } from '#src/config.ts';
import type { FranceConnectLevel } from '#src/franceconnect/client.ts';

/** Our origin as the browser sees it: PUBLIC_URL, or (outside production) the request's. */
export function publicOrigin(s: { readonly config: Config }, request: FastifyRequest): string {
  return s.config.publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Which FranceConnect buttons a page shows. */
export function franceConnectOffer(s: {
  readonly franceConnect: { client(level: FranceConnectLevel): unknown };
}): {
  franceconnect: boolean;
  franceconnectPlus: boolean;
} {
  return {
    franceconnect: s.franceConnect.client('franceconnect') !== null,
    franceconnectPlus: s.franceConnect.client('franceconnect-plus') !== null,
  };
}
