import type { FastifyInstance } from 'fastify';
import {
  startDevelopmentFranceConnect,
  type DevelopmentFranceConnect,
} from '#src/dev-franceconnect/provider.ts';
import type { Env } from '#src/config.ts';
import type { Deps } from '#src/services/deps.ts';
import { createTestApp, type TestDatabase } from './app.ts';
import { csrfTokenOf } from './browser.ts';

export interface FranceConnectTestBed {
  readonly app: FastifyInstance;
  readonly deps: Deps;
  readonly provider: DevelopmentFranceConnect;
  /** http://127.0.0.1:<port> of the portal, listening for real. */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The portal listening on a loopback port and the development FranceConnect provider in-process
 * on another, configured by discovery from its issuer like any provider.
 */
export async function startFranceConnectTestBed(
  db: TestDatabase,
  env: Env = {},
  options: { now?: () => Date } = {},
): Promise<FranceConnectTestBed> {
  const provider = await startDevelopmentFranceConnect({ port: 0 });
  const { app, deps } = await createTestApp(
    db,
    {
      FRANCECONNECT_ISSUER: provider.issuer,
      FRANCECONNECT_CLIENT_ID: provider.franceconnect.clientId,
      FRANCECONNECT_CLIENT_SECRET: provider.franceconnect.clientSecret,
      FRANCECONNECT_PLUS_ISSUER: provider.issuer,
      FRANCECONNECT_PLUS_CLIENT_ID: provider.franceconnectPlus.clientId,
      FRANCECONNECT_PLUS_CLIENT_SECRET: provider.franceconnectPlus.clientSecret,
      ...env,
    },
    options,
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${String(port)}`;
  provider.attach(origin);
  return {
    app,
    deps,
    provider,
    origin,
    close: async () => {
      await app.close();
      await provider.close();
    },
  };
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

export interface Page {
  readonly url: URL;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * A browser over real HTTP across origins: one cookie jar per origin (with paths), redirects
 * followed hop by hop (or stopped before a URL, to tamper with it).
 */
export class MultiOriginBrowser {
  private readonly jar = new Map<string, Map<string, StoredCookie>>();

  constructor(readonly appOrigin: string) {}

  private cookiesFor(url: URL): string {
    const jar = this.jar.get(url.origin);
    if (!jar) return '';
    return [...jar]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  private keep(url: URL, response: Response): void {
    const jar = this.jar.get(url.origin) ?? new Map<string, StoredCookie>();
    this.jar.set(url.origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.map((a) => /^path=(.*)$/i.exec(a)?.[1]).find(Boolean) ?? '/';
      const maxAge = attributes.map((a) => /^max-age=(-?\d+)$/i.exec(a)?.[1]).find(Boolean);
      const expires = attributes.map((a) => /^expires=(.*)$/i.exec(a)?.[1]).find(Boolean);
      const gone =
        value === '' ||
        (maxAge !== undefined && Number(maxAge) <= 0) ||
        (expires !== undefined && new Date(expires).getTime() <= Date.now());
      if (gone) jar.delete(name);
      else jar.set(name, { value, path });
    }
  }

  /** Another browser holding a copy of every cookie of this one (a stolen or replayed cookie). */
  clone(): MultiOriginBrowser {
    const copy = new MultiOriginBrowser(this.appOrigin);
    for (const [origin, jar] of this.jar) copy.jar.set(origin, new Map(jar));
    return copy;
  }

  hasCookies(origin: string): boolean {
    return (this.jar.get(origin)?.size ?? 0) > 0;
  }

  /** One request, no redirect followed. */
  async request(
    url: URL,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = { cookie: this.cookiesFor(url) };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : null,
      redirect: 'manual',
    });
    this.keep(url, response);
    return { url, status: response.status, headers: response.headers, body: await response.text() };
  }

  /**
   * Requests, then follows redirects (as GET). `stopBefore` returns the URL of a redirect
   * instead of following it, so a test may change it.
   */
  async go(
    target: string | URL,
    init: { form?: Record<string, string> } = {},
    stopBefore?: (url: URL) => boolean,
  ): Promise<Page | { stopped: URL }> {
    let url = new URL(target, this.appOrigin);
    let page = await this.request(url, init);
    for (let hop = 0; hop < 20; hop++) {
      const location = page.headers.get('location');
      if (page.status < 300 || page.status >= 400 || !location) return page;
      url = new URL(location, url);
      if (stopBefore?.(url)) return { stopped: url };
      page = await this.request(url);
    }
    throw new Error('too many redirects');
  }

  async open(target: string | URL, init: { form?: Record<string, string> } = {}): Promise<Page> {
    const result = await this.go(target, init);
    if ('stopped' in result) throw new Error('stopped');
    return result;
  }

  /** GETs an app page and posts its form with the page's CSRF token, following redirects. */
  async submit(pagePath: string, form: Record<string, string>, action = pagePath): Promise<Page> {
    const page = await this.open(pagePath);
    return this.open(action, { form: { _csrf: csrfTokenOf(page.body), ...form } });
  }

  /** Clicks a FranceConnect button on /connexion: lands on the provider's identity page. */
  async startFranceConnect(plus = false, from = '/connexion', retour?: string): Promise<Page> {
    const form: Record<string, string> = { niveau: plus ? 'franceconnect-plus' : 'franceconnect' };
    if (retour) form.retour = retour;
    return this.submit(from, form, '/franceconnect/connexion');
  }

  /** On the provider's page: picks an identity and a scenario; stops before the callback if asked. */
  async chooseIdentity(
    providerPage: Page,
    identity: string,
    scenario = 'normal',
    stopBeforeCallback = false,
  ): Promise<Page | { stopped: URL }> {
    const action = /<form method="post" action="([^"]+)"/.exec(providerPage.body)?.[1];
    if (!action)
      throw new Error(`no identity form on ${providerPage.url.href}: ${providerPage.body}`);
    return this.go(
      new URL(action, providerPage.url),
      { form: { identity, scenario } },
      stopBeforeCallback ? (u) => u.pathname === '/franceconnect/retour' : undefined,
    );
  }

  async loginWithFranceConnect(identity: string, plus = false, scenario = 'normal'): Promise<Page> {
    const result = await this.chooseIdentity(
      await this.startFranceConnect(plus),
      identity,
      scenario,
    );
    if ('stopped' in result) throw new Error('stopped');
    return result;
  }
}

export function pageOf(result: Page | { stopped: URL }): Page {
  if ('stopped' in result) throw new Error(`stopped before ${result.stopped.href}`);
  return result;
}
