import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// `same-site` is refused too: a sibling subdomain is another site's code, not ours.
const ALLOWED_FETCH_SITES = new Set(['same-origin', 'none']);

/**
 * Shown with the CSRF page of errors.ts (its code starts with FST_CSRF): to the person, a form
 * posted from another site is a form that is not valid here.
 */
export class CrossSiteRequestError extends Error {
  readonly statusCode = 403;
  readonly code = 'FST_CSRF_CROSS_SITE';
  constructor(readonly reason: string) {
    super(`Cross-site request refused: ${reason}`);
    this.name = 'CrossSiteRequestError';
  }
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Defence in depth beside the CSRF token: a state-changing request that a browser says comes from
 * another site (`Sec-Fetch-Site`) or another origin (`Origin`) is refused. Requests without those
 * headers (other clients, older browsers) still face the token.
 */
export const sameOrigin = fp(
  async (app: FastifyInstance, opts: { publicUrl: string | undefined }) => {
    const fixed = opts.publicUrl ? originOf(opts.publicUrl) : null;
    // Outside production without PUBLIC_URL, our origin is the one this request was sent to.
    const ours = (request: FastifyRequest) =>
      fixed ?? originOf(`${request.protocol}://${request.headers.host ?? ''}`);
    app.addHook('onRequest', async (request) => {
      if (SAFE_METHODS.has(request.method)) return;
      const site = request.headers['sec-fetch-site'];
      if (site !== undefined && !ALLOWED_FETCH_SITES.has(site)) {
        throw new CrossSiteRequestError(`Sec-Fetch-Site: ${site}`);
      }
      const origin = request.headers.origin;
      if (origin === undefined) return;
      const from = originOf(origin);
      if (from === null || from !== ours(request)) {
        throw new CrossSiteRequestError(`Origin: ${origin}`);
      }
    });
  },
  { name: 'same-origin', dependencies: ['session'] },
);
