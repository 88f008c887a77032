import type { FastifyInstance } from 'fastify';

export interface Reply {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  readonly body: string;
  readonly cookies: readonly { name: string; value: string; maxAge?: number; expires?: Date }[];
}

type Transport = (req: {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  payload?: string;
}) => Promise<Reply>;

/** In-process requests (`app.inject`), from `remoteAddress` (127.0.0.1 by default). */
function injectTransport(app: FastifyInstance, remoteAddress?: string): Transport {
  return async (req) => {
    const res = await app.inject({
      method: req.method,
      url: req.url,
      headers: req.headers,
      payload: req.payload,
      ...(remoteAddress ? { remoteAddress } : {}),
    });
    return {
      statusCode: res.statusCode,
      headers: res.headers,
      body: res.body,
      cookies: res.cookies,
    };
  };
}

/** Real HTTP over a loopback socket, to a server started with `app.listen`. */
function httpTransport(baseUrl: string): Transport {
  return async (req) => {
    const res = await fetch(baseUrl + req.url, {
      method: req.method,
      headers: req.headers,
      body: req.payload ?? null,
      redirect: 'manual',
    });
    const cookies = res.headers.getSetCookie().map((line) => {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const maxAge = attrs.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find(Boolean);
      const expires = attrs.map((a) => /^\s*expires=(.+)$/i.exec(a)?.[1]).find(Boolean);
      return {
        name: pair.slice(0, eq).trim(),
        value: decodeURIComponent(pair.slice(eq + 1).trim()),
        ...(maxAge ? { maxAge: Number(maxAge) } : {}),
        ...(expires ? { expires: new Date(expires) } : {}),
      };
    });
    return {
      statusCode: res.status,
      headers: Object.fromEntries(res.headers),
      body: await res.text(),
      cookies,
    };
  };
}

/** A cookie-keeping client acting like one browser, in-process or over real HTTP. */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  private readonly send: Transport;

  /** `remoteAddress`: the client address of in-process requests (per-address throttles). */
  constructor(target: FastifyInstance | string, options: { remoteAddress?: string } = {}) {
    this.send =
      typeof target === 'string'
        ? httpTransport(target)
        : injectTransport(target, options.remoteAddress);
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  }

  private keep(res: Reply): Reply {
    for (const c of res.cookies) {
      const expired =
        c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
    return this.keep(
      await this.send({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } }),
    );
  }

  async post(url: string, form: Record<string, string>): Promise<Reply> {
    return this.keep(
      await this.send({
        method: 'POST',
        url,
        headers: {
          cookie: this.cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** GETs the form's page, then POSTs the form with that page's CSRF token. */
  async submit(pageUrl: string, form: Record<string, string>, action = pageUrl): Promise<Reply> {
    const page = await this.get(pageUrl);
    return this.post(action, { _csrf: csrfTokenOf(page.body), ...form });
  }

  async login(nir: string, password: string): Promise<Reply> {
    return this.submit('/connexion', { nir, password });
  }

  async logout(): Promise<Reply> {
    return this.submit('/mon-compte', {}, '/deconnexion');
  }
}

export function csrfTokenOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in page');
  return m[1];
}

/** The "Prénom NOM" shown in the page header. */
export function headerNameOf(html: string): string | null {
  return /data-current-user>([^<]+)</.exec(html)?.[1]?.trim() ?? null;
}
