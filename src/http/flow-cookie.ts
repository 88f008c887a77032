import type { FastifyRequest } from 'fastify';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** The random id of the journey under way; its state is server-side (services/flows.ts). */
    flow: string;
  }
}

/** Only an id in the cookie: the same size whatever the journey holds, and nothing to replay. */
export function flowIdOf(request: FastifyRequest): string | undefined {
  return request.session.get('flow');
}

export function setFlowCookie(request: FastifyRequest, flow: { readonly id: string }): void {
  request.session.set('flow', flow.id);
}

export function clearFlowCookie(request: FastifyRequest): void {
  request.session.set('flow', undefined);
}
