import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The Content-Security-Policy: everything from our own origin only, no inline script or style
 * and no nonce either (ADR 0015: every script is an external file of our origin, which
 * `script-src 'self'` allows). `formActionSources`: the FranceConnect origins our login and
 * logout forms are redirected to (Chromium checks form-action on redirects).
 */
export function cspDirectives(
  secure: boolean,
  formActionSources: readonly string[],
): Readonly<Record<string, readonly string[]>> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'form-action': ["'self'", ...formActionSources],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'object-src': ["'none'"],
    ...(secure ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/** The header's value, as helmet writes it; a source that would end a directive is refused. */
export function policyHeader(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => {
      for (const source of sources) {
        if (!source || /[;,\s]/.test(source)) {
          throw new Error(`CSP ${name}: invalid source ${JSON.stringify(source)}`);
        }
      }
      return sources.length > 0 ? `${name} ${sources.join(' ')}` : name;
    })
    .join(';');
}

/**
 * The headers helmet 8 sends with the options this project used (test/unit/security-headers
 * checks them against @fastify/helmet itself), minus the policy, which depends on the moment.
 */
export function fixedSecurityHeaders(secure: boolean): Readonly<Record<string, string>> {
  return {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'same-origin',
    ...(secure ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

/**
 * Strict CSP and the other security headers on every response, errors included; HSTS and
 * upgrades only where cookies are Secure. Computed once (ADR 0015): per request, only the
 * FranceConnect origins are asked for, and the policy is rebuilt only when they change (once
 * discovery has answered).
 */
export const securityHeaders = fp(
  async (
    app: FastifyInstance,
    opts: { secure: boolean; formActionSources?: () => readonly string[] },
  ) => {
    const { secure, formActionSources } = opts;
    const fixed = Object.entries(fixedSecurityHeaders(secure));
    let sources: readonly string[] = [];
    let policy = policyHeader(cspDirectives(secure, sources));
    const currentPolicy = (): string => {
      if (!formActionSources) return policy;
      const now = formActionSources();
      if (now.length !== sources.length || now.some((s, i) => s !== sources[i])) {
        policy = policyHeader(cspDirectives(secure, now));
        sources = [...now];
      }
      return policy;
    };
    // On the raw response, as helmet did: kept on every answer, error pages and 404s included.
    app.addHook('onRequest', (_request, reply, done) => {
      const res = reply.raw;
      res.setHeader('content-security-policy', currentPolicy());
      for (const [name, value] of fixed) res.setHeader(name, value);
      done();
    });
  },
  { name: 'security-headers' },
);
