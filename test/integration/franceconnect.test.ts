import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { headerNameOf } from '../support/browser.ts';
import {
  MultiOriginBrowser,
  pageOf,
  startFranceConnectTestBed,
  type FranceConnectTestBed,
  type Page,
} from '../support/franceconnect.ts';
import { persona } from '../support/personas.ts';

let db: TestDatabase;
let bed: FranceConnectTestBed;

beforeAll(async () => {
  db = await createTestDatabase();
  bed = await startFranceConnectTestBed(db);
});
afterAll(async () => {
  await bed.close();
  await db.drop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const camille = persona('allocataire-migre');

function outcomeOf(page: Page): string | null {
  return /data-franceconnect-outcome="([^"]+)"/.exec(page.body)?.[1] ?? null;
}

async function linksOf(personId: string): Promise<{ provider: string; sub: string }[]> {
  const r = await db.pool.query<{ provider: string; sub: string }>(
    'SELECT provider, sub FROM franceconnect_links WHERE person_id = $1 ORDER BY provider',
    [personId],
  );
  return r.rows;
}

async function personIdOf(nir: string): Promise<string> {
  const r = await db.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [nir]);
  const id = r.rows[0]?.id;
  if (!id) throw new Error('no person');
  return id;
}

async function latestSession(personId: string) {
  const r = await db.pool.query<{ method: string; acr: string | null; revoked_at: Date | null }>(
    'SELECT method, acr, revoked_at FROM sessions WHERE person_id = $1 ORDER BY created_at DESC LIMIT 1',
    [personId],
  );
  return r.rows[0] ?? null;
}

describe('the FranceConnect buttons', () => {
  it('sit above the NIR form, with "ou" between, and link to "Qu’est-ce que FranceConnect ?"', async () => {
    const page = await new MultiOriginBrowser(bed.origin).open('/connexion');
    const button = page.body.indexOf('class="fr-connect"');
    const plus = page.body.indexOf('class="fr-connect fr-connect--plus"');
    const or = page.body.indexOf('<p class="fr-hr-or">ou</p>');
    const nir = page.body.indexOf('id="nir"');
    expect(button).toBeGreaterThan(0);
    expect(plus).toBeGreaterThan(button);
    expect(or).toBeGreaterThan(plus);
    expect(nir).toBeGreaterThan(or);
    expect(page.body).toContain('<span class="fr-connect__login">S’identifier avec</span>');
    expect(page.body).toContain('Qu’est-ce que FranceConnect\u00a0?');
  });

  it('allow the redirect to the provider in the CSP form-action', async () => {
    const page = await new MultiOriginBrowser(bed.origin).open('/connexion');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(new RegExp(`form-action 'self' ${bed.provider.issuer}`));
  });

  it('send PKCE S256, a 64-hex state and nonce, the scopes and acr eidas1', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    const result = await b.go(
      '/franceconnect/connexion',
      { form: { _csrf: csrf((await b.open('/connexion')).body), niveau: 'franceconnect' } },
      (u) => u.origin === bed.provider.issuer,
    );
    if (!('stopped' in result)) throw new Error('expected a redirect to the provider');
    const q = result.stopped.searchParams;
    expect(q.get('state')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('nonce')).toMatch(/^[0-9a-f]{64}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('acr_values')).toBe('eidas1');
    expect(q.get('scope')).toBe(
      'openid given_name family_name birthdate gender birthplace birthcountry email',
    );
    expect(q.get('redirect_uri')).toBe(`${bed.origin}/franceconnect/retour`);
  });
});

function csrf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no csrf');
  return m[1];
}

describe('first login, linking, then login by sub', () => {
  it('asks the matched person for their password once, then remembers the pairwise sub', async () => {
    const personId = await personIdOf(camille.nir);
    const b = new MultiOriginBrowser(bed.origin);
    const liaison = await b.loginWithFranceConnect('camille-martin');
    expect(liaison.url.pathname).toBe('/franceconnect/liaison');
    expect(liaison.body).toContain('data-franceconnect-identity>Camille Marie MARTIN<');
    expect(headerNameOf(liaison.body)).toBeNull();

    const wrong = await b.submit('/franceconnect/liaison', { password: 'Pas-le-bon-1' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('id="password-error">Mot de passe incorrect.');
    expect(await linksOf(personId)).toEqual([]);

    const done = await b.submit('/franceconnect/liaison', { password: camille.password });
    expect(done.url.pathname).toBe('/mon-compte');
    expect(headerNameOf(done.body)).toBe('Camille MARTIN');
    const links = await linksOf(personId);
    expect(links).toHaveLength(1);
    expect(links[0]?.provider).toBe('franceconnect');
    expect(links[0]?.sub).toMatch(/^[0-9a-f]{64}$/);
    expect(links[0]?.sub).not.toContain('camille');
    expect(await latestSession(personId)).toMatchObject({ method: 'franceconnect', acr: 'eidas1' });

    const again = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('camille-martin');
    expect(again.url.pathname).toBe('/mon-compte');
    expect(again.url.search).toBe('');
    expect(headerNameOf(again.body)).toBe('Camille MARTIN');
    expect(await linksOf(personId)).toHaveLength(1);
  });

  it('links Sophie LEROY, born in Corse-du-Sud (2A in the NIR and in the INSEE code)', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    const liaison = await b.loginWithFranceConnect('sophie-leroy');
    expect(liaison.url.pathname).toBe('/franceconnect/liaison');
    const done = await b.submit('/franceconnect/liaison', {
      password: persona('allocataire-leroy').password,
    });
    expect(headerNameOf(done.body)).toBe('Sophie LEROY');
  });
});

describe('no match, ambiguous match, no account', () => {
  it('answers an unknown outcome name with the expired page', async () => {
    const page = await new MultiOriginBrowser(bed.origin).open(
      new URL('/franceconnect/resultat?motif=inconnu', bed.origin),
    );
    expect(outcomeOf(page)).toBe('expired');
  });

  it('matches no one for an unknown identity', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('paul-durand');
    expect(outcomeOf(page)).toBe('none');
    expect(page.body).toContain('Nous ne trouvons pas de compte à votre nom');
    expect(page.url.search).not.toContain('code=');
    expect(headerNameOf(page.body)).toBeNull();
  });

  it('never matches on the e-mail alone', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('claire-moreau');
    expect(outcomeOf(page)).toBe('none');
  });

  it('refuses to guess between two persons with the same pivot identity', async () => {
    for (const order of [101, 102]) {
      const nir = makeNir({
        sex: 1,
        birthYear: 1990,
        birthMonth: 1,
        department: '75',
        commune: '056',
        order,
      }).value;
      await db.pool.query(
        `INSERT INTO persons (nir, given_name, family_name, birth_name, sex, birthdate)
         VALUES ($1, 'Lucas', 'Bernard', 'Bernard', 1, '1990-01-15')`,
        [nir],
      );
    }
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('lucas-bernard');
    expect(outcomeOf(page)).toBe('ambiguous');
    expect(page.body).toContain('Nous ne pouvons pas vous identifier avec certitude');
    expect(headerNameOf(page.body)).toBeNull();
  });

  it('tells a matched person without an account to do their first connection', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('nathalie-dubois');
    expect(outcomeOf(page)).toBe('noAccount');
    expect(page.body).toContain('première connexion');
  });
});

describe('checks of the provider’s answer', () => {
  it('refuses a tampered state, and opens no session', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    const stop = await b.chooseIdentity(
      await b.startFranceConnect(),
      'camille-martin',
      'normal',
      true,
    );
    if (!('stopped' in stop)) throw new Error('expected to stop before the callback');
    const tampered = new URL(stop.stopped);
    tampered.searchParams.set('state', 'a'.repeat(64));
    const page = pageOf(await b.go(tampered));
    expect(page.status).toBe(400);
    expect(outcomeOf(page)).toBe('failed');
    expect((await b.request(new URL('/mon-compte', bed.origin))).status).toBe(303);
    // Single use: the genuine callback after a failed one finds no pending state.
    const replay = pageOf(await b.go(stop.stopped));
    expect(outcomeOf(replay)).toBe('expired');
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect(
      'camille-martin',
      false,
      'nonce-errone',
    );
    expect(page.status).toBe(400);
    expect(outcomeOf(page)).toBe('failed');
    expect(headerNameOf(page.body)).toBeNull();
  });

  it('refuses an acr lower than the level asked (eidas1 for FranceConnect+)', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect(
      'camille-martin',
      true,
      'acr-inferieur',
    );
    expect(page.status).toBe(400);
    expect(outcomeOf(page)).toBe('failed');
  });

  it('says the login was cancelled on an error returned (access_denied)', async () => {
    const page = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect(
      'camille-martin',
      false,
      'refus',
    );
    expect(outcomeOf(page)).toBe('cancelled');
    expect(page.body).toContain('Connexion avec FranceConnect annulée');
    // Issue 8: shown at a clean address, which a reload shows again.
    expect(page.url.pathname + page.url.search).toBe('/franceconnect/resultat?motif=cancelled');
  });

  it('refuses a callback that was never started in this browser', async () => {
    const page = await new MultiOriginBrowser(bed.origin).open(
      `/franceconnect/retour?code=abc&state=${'b'.repeat(64)}`,
    );
    expect(page.status).toBe(400);
    expect(outcomeOf(page)).toBe('expired');
  });
});

describe('FranceConnect+', () => {
  it('receives the ID token and userinfo signed and encrypted, and logs in at eidas2', async () => {
    const bodies: { url: string; body: string }[] = [];
    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const response = await realFetch(input, init);
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith(bed.provider.issuer))
        bodies.push({ url, body: await response.clone().text() });
      return response;
    });
    const antoine = persona('conjoint-avec-delegation');
    const b = new MultiOriginBrowser(bed.origin);
    const liaison = await b.loginWithFranceConnect('antoine-leroy', true);
    expect(
      liaison.body,
      liaison.body.slice(liaison.body.indexOf('<main'), liaison.body.indexOf('<main') + 900),
    ).toContain('Relier FranceConnect+ à mon compte');
    const done = await b.submit('/franceconnect/liaison', { password: antoine.password });
    expect(headerNameOf(done.body)).toBe('Antoine LEROY');

    const token = bodies.find((r) => r.url.endsWith('/token'));
    const tokenResponse: unknown = JSON.parse(token?.body ?? '{}');
    const idToken =
      typeof tokenResponse === 'object' && tokenResponse !== null && 'id_token' in tokenResponse
        ? tokenResponse.id_token
        : null;
    expect(typeof idToken === 'string' && idToken.split('.')).toHaveLength(5);
    const header: unknown = JSON.parse(
      Buffer.from(String(idToken).split('.')[0] ?? '', 'base64url').toString(),
    );
    expect(header).toMatchObject({ alg: 'RSA-OAEP', enc: 'A256GCM' });
    const userinfo = bodies.find((r) => r.url.endsWith('/me'));
    expect(userinfo?.body.trim().split('.')).toHaveLength(5);

    const personId = await personIdOf(antoine.nir);
    expect(await latestSession(personId)).toMatchObject({
      method: 'franceconnect-plus',
      acr: 'eidas2',
    });
    expect((await linksOf(personId)).map((l) => l.provider)).toEqual(['franceconnect-plus']);
  });

  it('publishes only public encryption keys at its JWKS URL', async () => {
    const page = await new MultiOriginBrowser(bed.origin).open('/franceconnect/jwks');
    const jwks: unknown = JSON.parse(page.body);
    expect(jwks).toMatchObject({ keys: [{ kty: 'RSA', use: 'enc', alg: 'RSA-OAEP' }] });
    expect(page.body).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
  });
});

describe('logout', () => {
  it('revokes the local session, ends the provider’s session and checks the state on return', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    expect((await b.loginWithFranceConnect('camille-martin')).url.pathname).toBe('/mon-compte');
    const personId = await personIdOf(camille.nir);
    const atProvider = await b.go(
      '/deconnexion',
      { form: { _csrf: csrf((await b.open('/mon-compte')).body) } },
      (u) => u.origin === bed.provider.issuer,
    );
    if (!('stopped' in atProvider)) throw new Error('expected the provider’s end_session');
    const endSession = atProvider.stopped;
    expect(endSession.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect(endSession.searchParams.get('state')).toMatch(/^[0-9a-f]{64}$/);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(
      `${bed.origin}/franceconnect/deconnexion`,
    );
    expect((await latestSession(personId))?.revoked_at).toBeInstanceOf(Date);

    const confirm = pageOf(await b.go(endSession));
    expect(confirm.body).toContain('Se déconnecter de FranceConnect');
    const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(
      confirm.body,
    )?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1];
    if (!action || !xsrf) throw new Error(`no logout form: ${confirm.body}`);
    const back = pageOf(
      await b.go(new URL(action, confirm.url), { form: { xsrf, logout: 'yes' } }),
    );
    expect(back.url.pathname).toBe('/deconnexion');
    expect(back.body).toContain('Vous êtes déconnecté(e)');
    expect((await b.request(new URL('/mon-compte', bed.origin))).status).toBe(303);
  });

  it('refuses a logout return with a forged state', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    await b.loginWithFranceConnect('camille-martin');
    await b.go(
      '/deconnexion',
      { form: { _csrf: csrf((await b.open('/mon-compte')).body) } },
      (u) => u.origin === bed.provider.issuer,
    );
    const page = await b.open(`/franceconnect/deconnexion?state=${'c'.repeat(64)}`);
    expect(page.status).toBe(400);
    expect(outcomeOf(page)).toBe('logoutFailed');
  });

  it('logs a password session out locally only', async () => {
    const b = new MultiOriginBrowser(bed.origin);
    await b.submit('/connexion', { nir: camille.nir, password: camille.password });
    const page = await b.submit('/mon-compte', {}, '/deconnexion');
    expect(page.url.origin).toBe(bed.origin);
    expect(page.body).toContain('Vous êtes déconnecté(e)');
  });
});
