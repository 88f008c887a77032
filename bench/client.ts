/** Set-up requests of the benchmark (not timed): login forms and logins over real HTTP. */

/** The cookies of one browser, as the server set them (values kept as sent). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const deleted = attributes.some((a) => {
        const attribute = a.trim().toLowerCase();
        if (attribute === 'max-age=0') return true;
        if (!attribute.startsWith('expires=')) return false;
        return Date.parse(attribute.slice('expires='.length)) <= Date.now();
      });
      if (deleted) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function csrfTokenOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token in the login page');
  return m[1];
}

export interface LoginForm {
  /** The Cookie header of a visitor who has just displayed /connexion. */
  readonly cookie: string;
  readonly csrf: string;
}

async function openLoginForm(baseUrl: string, jar: CookieJar): Promise<string> {
  const page = await fetch(`${baseUrl}/connexion`, { redirect: 'manual' });
  if (page.status !== 200) throw new Error(`GET /connexion: ${page.status}`);
  jar.absorb(page);
  return csrfTokenOf(await page.text());
}

/** A fresh anonymous visitor's cookie and CSRF token, reusable for any number of POSTs. */
export async function fetchLoginForm(baseUrl: string): Promise<LoginForm> {
  const jar = new CookieJar();
  const csrf = await openLoginForm(baseUrl, jar);
  return { cookie: jar.header(), csrf };
}

export function loginBody(form: LoginForm, nir: string, password: string): string {
  return new URLSearchParams({ _csrf: form.csrf, nir, password }).toString();
}

/** Logs one person in like a browser; returns the Cookie header of the new session. */
export async function logIn(baseUrl: string, nir: string, password: string): Promise<string> {
  const jar = new CookieJar();
  const csrf = await openLoginForm(baseUrl, jar);
  const res = await fetch(`${baseUrl}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    body: loginBody({ cookie: '', csrf }, nir, password),
  });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  if (res.status !== 303 || location !== '/mon-compte') {
    throw new Error(`POST /connexion: ${res.status} to ${location ?? '(no redirect)'}`);
  }
  jar.absorb(res);
  return jar.header();
}

/** Runs `task` for every item, `concurrency` at a time; results in input order. */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i];
      if (item !== undefined) results[i] = await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return results;
}
