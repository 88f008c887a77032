import fc from 'fast-check';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { persona } from '../support/personas.ts';

// Property-based bodies over every POST route of Fastify's own route table, anonymous and
// logged in: whatever arrives, the answer is a French page (or a redirect) below 500, and the
// server keeps answering. A route added tomorrow is fuzzed without anyone listing it here.

const ctx = useTestApp();

const RUNS_PER_ROUTE = 30;
const GENERIC_FIELDS = ['_csrf', 'nir', 'password', 'code', 'email', 'phone', 'birthdate', 'iban'];

const tricky = fc.constantFrom(
  '',
  ' ',
  '0',
  '-1',
  '1e999',
  'NaN',
  'null',
  '[]',
  '{}',
  '2850375114123',
  '2 85 03 75 114 123 45',
  'P2026004817',
  '31/12/1999',
  '1999-12-31',
  '29/02/2023',
  'FR7630006000011234567890189',
  'a@b',
  '<script>alert(1)</script>',
  "'; DROP TABLE persons; --",
  '\u0000',
  '\uFEFF\u202E',
  'é'.repeat(300),
  '9'.repeat(5000),
  '../../etc/passwd',
  '%00',
);
const value = fc.oneof(
  tricky,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

type Body =
  | { kind: 'form'; fields: [string, string][]; csrf: 'valid' | 'absent' | 'garbage' }
  | { kind: 'raw'; contentType: string; payload: string };

function bodies(fieldNames: readonly string[]): fc.Arbitrary<Body> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...fieldNames) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const form = fc.record({
    kind: fc.constant('form' as const),
    // Repeated names arrive as arrays: the schemas must refuse them cleanly.
    fields: fc.array(fc.tuple(name, value), { maxLength: 8 }),
    csrf: fc.constantFrom(
      'valid' as const,
      'valid' as const,
      'valid' as const,
      'absent' as const,
      'garbage' as const,
    ),
  });
  const raw = fc.record({
    kind: fc.constant('raw' as const),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data',
      'application/x-www-form-urlencoded; charset=latin1',
      'application/octet-stream',
    ),
    payload: fc.oneof(fc.string({ maxLength: 200 }), fc.json(), tricky),
  });
  return fc.oneof({ weight: 5, arbitrary: form }, { weight: 1, arbitrary: raw });
}

/** A browser of its own for one route: cookies kept, a loopback address of its own. */
class Client {
  private readonly cookies = new Map<string, string>();
  constructor(
    private readonly app: FastifyInstance,
    private readonly address: string,
  ) {}

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async send(opts: {
    method: 'GET' | 'POST';
    url: string;
    contentType?: string;
    payload?: string;
  }): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method: opts.method,
      url: opts.url,
      remoteAddress: this.address,
      headers: {
        cookie: this.header(),
        ...(opts.contentType ? { 'content-type': opts.contentType } : {}),
      },
      ...(opts.payload === undefined ? {} : { payload: opts.payload }),
    });
    for (const c of res.cookies) {
      if (c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, encodeURIComponent(c.value));
    }
    return res;
  }

  /** The CSRF token of the route's own page when it has one, else of Mon Compte or the login page. */
  async formPage(url: string): Promise<{ token: string | null; fields: string[] }> {
    let page = await this.send({ method: 'GET', url });
    for (const fallback of ['/mon-compte', '/connexion']) {
      if (page.statusCode === 200) break;
      page = await this.send({ method: 'GET', url: fallback });
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? null;
    const fields = [...page.body.matchAll(/<(?:input|select|textarea)[^>]*\sname="([^"]+)"/g)].map(
      (m) => m[1] ?? '',
    );
    return { token, fields };
  }
}

function expectCleanAnswer(res: LightMyRequestResponse, route: string): void {
  expect(res.statusCode, `${route} answered ${String(res.statusCode)}`).toBeLessThan(500);
  const type = String(res.headers['content-type'] ?? '');
  if (type.startsWith('text/html')) {
    expect(res.body).toContain('lang="fr"');
    expect(res.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
  }
}

let addressCounter = 0;
function nextAddress(): string {
  addressCounter += 1;
  return `127.0.${String(Math.floor(addressCounter / 250) % 250)}.${String((addressCounter % 250) + 1)}`;
}

describe('fuzzing every POST route', () => {
  const postRoutes = () => {
    const routes = [
      ...new Set(ctx.app.routeTable.filter((r) => r.method === 'POST').map((r) => r.url)),
    ];
    expect(routes.length).toBeGreaterThan(10);
    return routes;
  };

  for (const who of ['anonymous', 'logged in'] as const) {
    it(`answers arbitrary bodies with French pages below 500 (${who})`, async () => {
      const camille = persona('allocataire-migre');
      let requests = 0;
      let reachedHandler = 0;
      const statuses = new Map<number, number>();
      for (const route of postRoutes()) {
        const client = new Client(ctx.app, nextAddress());
        if (who === 'logged in') {
          const login = await client.formPage('/connexion');
          const res = await client.send({
            method: 'POST',
            url: '/connexion',
            contentType: 'application/x-www-form-urlencoded',
            payload: new URLSearchParams({
              _csrf: login.token ?? '',
              nir: camille.nir,
              password: camille.password,
            }).toString(),
          });
          expect(res.statusCode, `login before fuzzing ${route}`).toBe(303);
        }
        const { fields } = await client.formPage(route);
        const names = [...new Set([...GENERIC_FIELDS, ...fields])];
        await fc.assert(
          fc.asyncProperty(bodies(names), async (body) => {
            const { token } = await client.formPage(route);
            let res: LightMyRequestResponse;
            if (body.kind === 'form') {
              const params = new URLSearchParams(body.fields);
              if (body.csrf === 'valid' && token) params.set('_csrf', token);
              if (body.csrf === 'garbage') params.set('_csrf', 'x'.repeat(52));
              res = await client.send({
                method: 'POST',
                url: route,
                contentType: 'application/x-www-form-urlencoded',
                payload: params.toString(),
              });
            } else {
              res = await client.send({
                method: 'POST',
                url: route,
                contentType: body.contentType,
                payload: body.payload,
              });
            }
            requests += 1;
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
            if (!res.body.includes('Formulaire expiré')) reachedHandler += 1;
            expectCleanAnswer(res, route);
          }),
          { numRuns: RUNS_PER_ROUTE },
        );
      }
      const health = await ctx.app.inject({ method: 'GET', url: '/sante' });
      expect(health.statusCode).toBe(200);
      // Most bodies carry a valid CSRF token: they must reach the handlers, not stop at the guard.
      expect(reachedHandler).toBeGreaterThan(requests / 3);
      console.log(
        `fuzzing (${who}): ${String(requests)} POST bodies, ${String(reachedHandler)} past the CSRF check, 0 answers ≥ 500; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
    }, 240_000);
  }
});
