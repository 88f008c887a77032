import { describe, expect, it } from 'vitest';
import { agentMay, agentRoles, type AgentRole } from '#src/domain/agent-access.ts';
import { agentRouteActions } from '#src/http/journeys/agents-area.ts';
import { createAgent } from '#src/services/agents/create-agent.ts';
import { demoAgents } from '#src/seed/demo.ts';
import { openSession } from '#src/services/sessions.ts';
import { createTestApp, useTestApp } from '../support/app.ts';
import { AGENT_COOKIES, agentLogin, demoAgentOf, totpAt } from '../support/agents.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { SESSION_COOKIES } from '../support/cookies.ts';
import { lastMessageTo, waitForDelivery } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

// The services' clock moves 30 s (one TOTP step) before each agent login: a code is good once.
let clock = Date.now();
const tick = () => {
  clock += 30_000;
  return new Date(clock);
};
const ctx = useTestApp({}, { now: () => new Date(clock) });

async function as(role: AgentRole): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  await agentLogin(b, demoAgentOf(role), tick());
  return b;
}

async function personId(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir IS NOT DISTINCT FROM $1 AND given_name = $2 AND family_name = $3',
    [p.nir, p.givenName, p.familyName],
  );
  return required(r.rows[0], `person ${key}`).id;
}

async function agentId(role: AgentRole): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM agents WHERE login = $1', [
    demoAgentOf(role).login,
  ]);
  return required(r.rows[0], `agent ${role}`).id;
}

/** Opens a person's file with a reason (the sheet's precondition). */
async function openFile(b: TestBrowser, id: string, reason = 'appel-telephonique') {
  const res = await b.submit(`/agents/personnes/${id}/motif`, { reason });
  expect(res.headers.location).toBe(`/agents/personnes/${id}`);
  return b.get(`/agents/personnes/${id}`);
}

async function intervene(b: TestBrowser, id: string, action: string) {
  return b.submit(`/agents/personnes/${id}/${action}`, {});
}

async function auditRows(target: string, action: string) {
  const r = await ctx.pool.query<{ actor_agent_id: string; details: { reason: string } }>(
    'SELECT actor_agent_id, details FROM audit_log WHERE target_person_id = $1 AND action = $2',
    [target, `agent:${action}`],
  );
  return r.rows;
}

describe('agents: login with password and TOTP', () => {
  it('seeds one agent of each role', () => {
    expect(demoAgents.map((a) => a.role).sort()).toEqual([...agentRoles].sort());
  });

  it('refuses a wrong password with one answer, then a wrong code, then lets the right code in', async () => {
    const a = demoAgentOf('conseiller');
    const b = new TestBrowser(ctx.app, { remoteAddress: '10.0.0.1' });
    const wrong = await b.submit('/agents/connexion', { login: a.login, password: 'nope-nope-1' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Identifiant ou mot de passe incorrect.');
    const unknown = await b.submit('/agents/connexion', { login: 'personne', password: 'x' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain('Identifiant ou mot de passe incorrect.');
    // The code page is closed without the password step.
    expect((await new TestBrowser(ctx.app).get('/agents/connexion/code')).headers.location).toBe(
      '/agents/connexion',
    );
    await b.submit('/agents/connexion', { login: a.login, password: a.password });
    const at = tick();
    const good = await totpAt(a.totpSecret, at);
    const bad = await b.submit('/agents/connexion/code', {
      code: good === '000000' ? '111111' : '000000',
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toContain('Code incorrect ou déjà utilisé');
    const ok = await b.submit('/agents/connexion/code', { code: good });
    expect(ok.headers.location).toBe('/agents');
    const home = await b.get('/agents');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Claire FONTAINE');
    expect(home.headers['cache-control']).toBe('no-store');
    expect(home.headers['content-security-policy']).toBeDefined();
    const row = await ctx.pool.query('SELECT 1 FROM agent_sessions WHERE revoked_at IS NULL');
    expect(row.rowCount).toBeGreaterThan(0);
  });

  it('refuses a TOTP code already used (replay), even from another browser', async () => {
    const a = demoAgentOf('testeur');
    const at = tick();
    const first = new TestBrowser(ctx.app);
    const code = await agentLogin(first, a, at);
    const second = new TestBrowser(ctx.app);
    await second.submit('/agents/connexion', { login: a.login, password: a.password });
    const replay = await second.submit('/agents/connexion/code', { code });
    expect(replay.statusCode).toBe(401);
    expect(await second.get('/agents')).toMatchObject({ statusCode: 303 });
  });

  it('throttles password attempts like the public login', async () => {
    const b = new TestBrowser(ctx.app, { remoteAddress: '10.0.0.2' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await b.submit('/agents/connexion', {
        login: 'superviseur.demo',
        password: `wrong-${String(i)}-password`,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const last = await b.submit('/agents/connexion', {
      login: 'superviseur.demo',
      password: demoAgentOf('superviseur').password,
    });
    expect(last.statusCode).toBe(429);
    expect(last.body).toContain('Trop de tentatives');
    // Another login from the same address is not locked by these failures.
    clock += 60 * 60_000;
  });

  it('enrols a new agent: QR code and secret shown until the first code, then never again', async () => {
    const created = await createAgent(ctx.deps, {
      login: 'nouvel.agent',
      givenName: 'Nina',
      familyName: 'Roux',
      role: 'conseiller',
    });
    if (!created.ok) throw new Error('agent not created');
    expect(
      (
        await createAgent(ctx.deps, {
          login: 'nouvel.agent',
          givenName: 'X',
          familyName: 'Y',
          role: 'testeur',
        })
      ).ok,
    ).toBe(false);
    const b = new TestBrowser(ctx.app);
    await b.submit('/agents/connexion', { login: 'nouvel.agent', password: created.password });
    const page = await b.get('/agents/connexion/code');
    expect(page.body).toContain('<svg');
    const shown = required(/data-totp-secret>([A-Z2-7]+)</.exec(page.body)?.[1], 'secret');
    expect(shown).toBe(created.totpSecret);
    const at = tick();
    const ok = await b.post('/agents/connexion/code', {
      _csrf: csrfTokenOf(page.body),
      code: await totpAt(shown, at),
    });
    expect(ok.headers.location).toBe('/agents');
    const again = new TestBrowser(ctx.app);
    await again.submit('/agents/connexion', { login: 'nouvel.agent', password: created.password });
    const second = await again.get('/agents/connexion/code');
    expect(second.body).not.toContain('data-totp-secret');
    expect(second.body).not.toContain(shown);
  });

  it('logs out: the agent session row is revoked', async () => {
    const b = await as('conseiller');
    const home = await b.get('/agents');
    const out = await b.post('/agents/deconnexion', { _csrf: csrfTokenOf(home.body) });
    expect(out.headers.location).toBe('/agents/connexion');
    expect((await b.get('/agents')).headers.location).toBe('/agents/connexion');
  });
});

describe('agents: two realms in one browser', () => {
  it('keeps both cookies apart: neither grants anything in the other realm', async () => {
    const camille = persona('allocataire-migre');
    const both = await as('superviseur');
    await both.login(camille.nir, camille.password);
    const agentCookie = required(
      AGENT_COOKIES.map((n) => both.cookies.get(n)).find(Boolean),
      'agent cookie',
    );
    const publicCookie = required(
      SESSION_COOKIES.map((n) => both.cookies.get(n)).find(Boolean),
      'public cookie',
    );
    // Both coexist and each works in its own realm.
    expect((await both.get('/agents')).statusCode).toBe(200);
    expect((await both.get('/mon-compte')).statusCode).toBe(200);
    // The public cookie alone: no way into /agents; the agent cookie alone: none into /mon-compte.
    const onlyPublic = new TestBrowser(ctx.app);
    onlyPublic.cookies.set('moncompte', publicCookie);
    expect((await onlyPublic.get('/agents')).headers.location).toBe('/agents/connexion');
    const onlyAgent = new TestBrowser(ctx.app);
    onlyAgent.cookies.set('moncompte-agent', agentCookie);
    expect((await onlyAgent.get('/mon-compte')).headers.location).toBe('/connexion');
    // Swapped names: a cookie of one realm does not even decrypt in the other.
    const swapped = new TestBrowser(ctx.app);
    swapped.cookies.set('moncompte', agentCookie);
    swapped.cookies.set('moncompte-agent', publicCookie);
    expect((await swapped.get('/agents')).headers.location).toBe('/agents/connexion');
    expect((await swapped.get('/mon-compte')).headers.location).toBe('/connexion');
    // Logging out of one realm leaves the other.
    const home = await both.get('/agents');
    await both.post('/agents/deconnexion', { _csrf: csrfTokenOf(home.body) });
    expect((await both.get('/mon-compte')).statusCode).toBe(200);
  });
});

describe('agents: every /agents route × every role (route table and matrix)', () => {
  const routes = () =>
    [
      ...new Set(
        ctx.app.routeTable
          .filter((r) => r.url === '/agents' || r.url.startsWith('/agents/'))
          .map((r) => `${r.method} ${r.url}`),
      ),
    ].map((k) => {
      const [method = '', url = ''] = k.split(' ');
      return { method, url };
    });

  it('names the action of every route of the console', () => {
    const urls = routes().map((r) => r.url);
    expect(urls.length).toBeGreaterThan(10);
    for (const url of urls)
      expect({ url, action: agentRouteActions[url] }).not.toMatchObject({ action: undefined });
  });

  it('sends an anonymous visitor of every guarded page to the agents’ login', async () => {
    const camille = await personId('allocataire-migre');
    for (const { method, url } of routes()) {
      if (method !== 'GET' || agentRouteActions[url] === 'open') continue;
      const res = await new TestBrowser(ctx.app).get(
        url
          .replace(':id', camille)
          .replace(':action', 'deverrouiller')
          .replace(':agent', await agentId('testeur')),
      );
      expect({ url, location: res.headers.location }).toEqual({
        url,
        location: '/agents/connexion',
      });
    }
  });

  it('answers 403 where the matrix refuses, and the page where it allows', async () => {
    const camille = await personId('allocataire-migre');
    for (const role of agentRoles) {
      const b = await as(role);
      // The file is open for the roles that may look people up (the sheet's precondition).
      if (agentMay(role, 'lookup')) await openFile(b, camille, 'test');
      for (const { method, url } of routes()) {
        const action = agentRouteActions[url];
        if (method !== 'GET' || action === 'open' || action === undefined) continue;
        // An incident's pages need an incident: test/integration/agents-supervision.test.ts.
        if (url.startsWith('/agents/incidents/:')) continue;
        const res = await b.get(
          url
            .replace(':id', camille)
            .replace(':action', 'deverrouiller')
            .replace(':agent', await agentId('testeur')),
        );
        const allowed = agentMay(role, action);
        expect({ role, url, status: res.statusCode }).toEqual({
          role,
          url,
          status: allowed ? 200 : 403,
        });
        if (!allowed) {
          expect(res.body).toContain('Page réservée');
          expect(res.body).not.toContain('Camille');
        }
      }
      // A refused form is refused too (with a valid CSRF token), and changes nothing.
      if (!agentMay(role, 'intervene')) {
        const home = await b.get('/agents');
        const res = await b.post(`/agents/personnes/${camille}/suspendre`, {
          _csrf: csrfTokenOf(home.body),
        });
        expect(res.statusCode).toBe(403);
        expect(await auditRows(camille, 'suspendre')).toEqual([]);
      }
    }
  });
});

describe('agents: look-up', () => {
  it('finds a person by NIR (spaces, with or without key), number, provisional id, name and birth date', async () => {
    const b = await as('conseiller');
    const camille = persona('allocataire-migre');
    const spaced = `${camille.nir.slice(0, 1)} ${camille.nir.slice(1, 3)} ${camille.nir.slice(3, 5)} ${camille.nir.slice(5)}`;
    const key = String(97 - (Number(camille.nir) % 97)).padStart(2, '0');
    const search = (q: Record<string, string>) =>
      b.get(`/agents/recherche?${new URLSearchParams({ envoye: '1', ...q }).toString()}`);
    for (const q of [{ q: spaced }, { q: `${camille.nir} ${key}` }]) {
      const res = await search(q);
      expect(res.statusCode).toBe(200);
      expect(res.body.match(/data-result>/g)?.length).toBe(1);
      expect(res.body).toContain('Camille MARTIN');
    }
    const household = await search({ q: '1234567' });
    expect(household.body).toContain('Camille MARTIN');
    expect(household.body.match(/data-result>/g)?.length ?? 0).toBeGreaterThan(1);
    const amadou = demo('identifiant-provisoire');
    const byProvisional = await search({
      q: required(amadou.provisionalId, 'provisional id').toLowerCase(),
    });
    expect(byProvisional.body).toContain(amadou.givenName);
    const [y, m, d] = camille.birthdate.split('-');
    const byName = await search({ nom: 'martin', naissance: `${d ?? ''}/${m ?? ''}/${y ?? ''}` });
    expect(byName.body).toContain('Camille MARTIN');
    const bad = await search({ q: '12345' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="error-summary"');
    expect(bad.body).toContain('value="12345"');
    const missingDate = await search({ nom: 'martin' });
    expect(missingDate.statusCode).toBe(400);
    expect(missingDate.body).toContain('href="#naissance"');
  });

  it('never lists more than a page: a broad search asks to be narrowed', async () => {
    const b = await as('conseiller');
    // 25 people sharing a name and a birth date.
    await ctx.pool.query(
      `INSERT INTO persons (given_name, family_name, sex, birthdate)
       SELECT 'Homonyme' || g, 'Durand', 1, '1970-01-01' FROM generate_series(1, 25) g`,
    );
    const res = await b.get('/agents/recherche?envoye=1&nom=Durand&naissance=01/01/1970');
    expect(res.body.match(/data-result>/g)?.length).toBe(20);
    expect(res.body).toContain('data-more');
  });

  it('asks a reason, logs who opened whose file and why, and shows it in the person’s history', async () => {
    const b = await as('conseiller');
    const id = await personId('conjoint-sans-delegation');
    // No reason, no sheet.
    expect((await b.get(`/agents/personnes/${id}`)).headers.location).toBe(
      `/agents/personnes/${id}/motif`,
    );
    const noReason = await b.submit(`/agents/personnes/${id}/motif`, {});
    expect(noReason.statusCode).toBe(400);
    const sheet = await openFile(b, id, 'accueil');
    expect(sheet.statusCode).toBe(200);
    for (const part of [
      'data-identity',
      'data-account',
      'data-dossier="1234567"',
      'data-sessions',
      'data-throttles',
      'data-access',
    ])
      expect(sheet.body).toContain(part);
    const log = await ctx.pool.query<{ reason: string; agent_id: string }>(
      'SELECT reason, agent_id FROM agent_access_log WHERE person_id = $1',
      [id],
    );
    expect(log.rows.map((r) => r.reason)).toEqual(['accueil']);
    const julien = persona('conjoint-sans-delegation');
    const p = new TestBrowser(ctx.app);
    await p.login(julien.nir, julien.password);
    const history = await p.get('/mon-compte/profil/historique');
    expect(history.body.match(/data-agent-consultation>/g)?.length).toBe(1);
    expect(history.body).toContain('Accueil');
    expect(history.body).not.toContain('FONTAINE');
  });

  it('refuses a testeur any real person’s file', async () => {
    const b = await as('testeur');
    const id = await personId('allocataire-migre');
    expect((await b.get(`/agents/personnes/${id}/motif`)).statusCode).toBe(403);
    expect((await b.get('/agents/recherche?envoye=1&q=1234567')).statusCode).toBe(403);
    const log = await ctx.pool.query(
      'SELECT 1 FROM agent_access_log l JOIN agents a ON a.id = l.agent_id WHERE a.role = $1',
      ['testeur'],
    );
    expect(log.rowCount).toBe(0);
  });
});

describe('agents: interventions', () => {
  it('unlocks: clears the person’s throttles, with an audit row and a notice', async () => {
    const sophie = persona('allocataire-leroy');
    const id = await personId('allocataire-leroy');
    const p = new TestBrowser(ctx.app, { remoteAddress: '10.0.0.9' });
    for (let i = 0; i < 3; i += 1) await p.login(sophie.nir, `Faux-mot-de-passe-${String(i)}`);
    const b = await as('conseiller');
    const before = await openFile(b, id);
    expect(before.body).toContain('3 échec(s)');
    const confirm = await b.get(`/agents/personnes/${id}/deverrouiller`);
    expect(confirm.body).toContain('Confirmer');
    const done = await intervene(b, id, 'deverrouiller');
    expect(done.headers.location).toBe(`/agents/personnes/${id}?fait=deverrouiller`);
    const after = await b.get(`/agents/personnes/${id}?fait=deverrouiller`);
    expect(after.body).toContain('La connexion est débloquée.');
    expect(after.body).toContain('Aucune tentative échouée en cours.');
    const rows = await auditRows(id, 'deverrouiller');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details.reason).toBe('appel-telephonique');
    const notice = await lastMessageTo(ctx.pool, required(sophie.email, 'e-mail'), 'email');
    expect(notice?.subject).toBe('Connexion à Mon Compte débloquée');
    // Again: nothing to do, no second row.
    await intervene(b, id, 'deverrouiller');
    expect(await auditRows(id, 'deverrouiller')).toHaveLength(1);
  });

  it('ends every session of the person', async () => {
    const antoine = persona('conjoint-avec-delegation');
    const id = await personId('conjoint-avec-delegation');
    const p = new TestBrowser(ctx.app);
    await p.login(antoine.nir, antoine.password);
    expect((await p.get('/mon-compte')).statusCode).toBe(200);
    const b = await as('superviseur');
    await openFile(b, id);
    await intervene(b, id, 'fermer-sessions');
    expect((await p.get('/mon-compte')).headers.location).toBe('/connexion');
    expect(await auditRows(id, 'fermer-sessions')).toHaveLength(1);
  });

  it('forces a new password at the next login', async () => {
    const ines = persona('primo-demandeur');
    const id = await personId('primo-demandeur');
    const b = await as('conseiller');
    await openFile(b, id, 'courrier');
    await intervene(b, id, 'forcer-mot-de-passe');
    expect(await auditRows(id, 'forcer-mot-de-passe')).toHaveLength(1);
    const p = new TestBrowser(ctx.app);
    const res = await p.login(ines.nir, ines.password);
    expect(res.headers.location).toBe('/premiere-connexion');
    // A person without an account cannot be asked for a new one.
    const nathalie = await personId('allocataire-non-migre');
    await openFile(b, nathalie);
    expect((await intervene(b, nathalie, 'forcer-mot-de-passe')).statusCode).toBe(403);
  });

  it('suspends: every way in refused with the French page, open sessions included; lifting restores', async () => {
    const camille = persona('allocataire-migre');
    const id = await personId('allocataire-migre');
    const open = new TestBrowser(ctx.app);
    await open.login(camille.nir, camille.password);
    expect((await open.get('/mon-compte')).statusCode).toBe(200);
    const b = await as('conseiller');
    await openFile(b, id);
    await intervene(b, id, 'suspendre');
    expect(await auditRows(id, 'suspendre')).toHaveLength(1);
    // The open session, on its next request.
    const next = await open.get('/mon-compte');
    expect(next.statusCode).toBe(403);
    expect(next.body).toContain('Compte suspendu');
    expect(next.body).toContain('contactez votre Caf');
    // Password login.
    const login = await new TestBrowser(ctx.app).login(camille.nir, camille.password);
    expect(login.statusCode).toBe(403);
    expect(login.body).toContain('Compte suspendu');
    // Every session-opening path goes through openSession: each method is refused there.
    for (const method of ['password', 'franceconnect', 'franceconnect-plus'] as const) {
      await expect(
        openSession(ctx.pool, ctx.deps.config.session, {
          personId: id,
          method,
          acr: null,
          clientIp: null,
          userAgent: null,
        }),
      ).rejects.toThrow('suspended');
    }
    await intervene(b, id, 'lever-suspension');
    expect(await auditRows(id, 'lever-suspension')).toHaveLength(1);
    expect(
      (await new TestBrowser(ctx.app).login(camille.nir, camille.password)).headers.location,
    ).toBe('/mon-compte');
  });

  it('refuses a suspended person’s first connection with the old password', async () => {
    const nathalie = demo('allocataire-non-migre');
    const id = await personId('allocataire-non-migre');
    const b = await as('conseiller');
    await openFile(b, id);
    await intervene(b, id, 'suspendre');
    const res = await new TestBrowser(ctx.app).login(
      required(nathalie.nir, 'nir'),
      required(nathalie.legacyPassword, 'legacy password'),
    );
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Compte suspendu');
    await intervene(b, id, 'lever-suspension');
  });

  it('assigns a NIR to a provisional identifier, with an audit row', async () => {
    const amadou = demo('identifiant-provisoire');
    const id = await personId('identifiant-provisoire');
    const b = await as('conseiller');
    const sheet = await openFile(b, id);
    expect(sheet.body).toContain('Attribuer un numéro de sécurité sociale');
    const wrong = await b.submit(`/agents/personnes/${id}/attribuer-nir`, { nir: '1' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('value="1"');
    const person = await ctx.pool.query<{ sex: number; birthdate: string }>(
      "SELECT sex, to_char(birthdate, 'YYMM') AS birthdate FROM persons WHERE id = $1",
      [id],
    );
    const row = required(person.rows[0], 'person');
    const nir = `${String(row.sex)}${row.birthdate}99341001`;
    const done = await b.submit(`/agents/personnes/${id}/attribuer-nir`, { nir });
    expect(done.statusCode).toBe(303);
    expect(await auditRows(id, 'attribuer-nir')).toHaveLength(1);
    const after = await ctx.pool.query<{ nir: string | null }>(
      'SELECT nir FROM persons WHERE id = $1',
      [id],
    );
    expect(after.rows[0]?.nir).toBe(nir);
    expect(amadou.provisionalId).not.toBeNull();
  });

  /** The letter's recipient: the person's name, then the dossier's address, line by line. */
  async function postalAddressOf(id: string): Promise<string> {
    const r = await ctx.pool.query<{ lines: string }>(
      `SELECT concat_ws(E'\\n', upper(p.family_name), d.address_line1, d.address_line2, d.postcode || ' ' || d.city) AS lines
         FROM persons p JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id
        WHERE p.id = $1`,
      [id],
    );
    const lines = required(r.rows[0], 'dossier').lines;
    const given = required(
      (
        await ctx.pool.query<{ g: string }>('SELECT given_name AS g FROM persons WHERE id = $1', [
          id,
        ])
      ).rows[0],
      'person',
    ).g;
    return `${given} ${lines}`;
  }

  async function lettersTo(recipient: string): Promise<number> {
    await waitForDelivery(ctx.pool);
    const r = await ctx.pool.query(
      "SELECT 1 FROM dev_outbox WHERE channel = 'courrier' AND recipient = $1",
      [recipient],
    );
    return r.rowCount ?? 0;
  }

  it('sends a new activation code by letter to the dossier’s address; the code works on « Activer mon compte »', async () => {
    const nathalie = demo('allocataire-non-migre');
    const id = await personId('allocataire-non-migre');
    const to = await postalAddressOf(id);
    const b = await as('conseiller');
    await openFile(b, id, 'courrier');
    const confirm = await b.get(`/agents/personnes/${id}/code-courrier`);
    expect(confirm.body).toContain('Envoyer un nouveau code par courrier');
    const done = await intervene(b, id, 'code-courrier');
    expect(done.headers.location).toBe(`/agents/personnes/${id}?fait=code-courrier`);
    const letter = required(await lastMessageTo(ctx.pool, to, 'courrier'), 'letter');
    const code = required(/([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(letter.body)?.[1], 'code');
    expect(letter.body).toContain('30 jours');
    // The agent never sees the code: not on the sheet, not in the audit row.
    const after = await b.get(`/agents/personnes/${id}?fait=code-courrier`);
    expect(after.body).toContain('Un nouveau code part par courrier');
    expect(after.body).not.toContain(code);
    const rows = await auditRows(id, 'code-courrier');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details.reason).toBe('courrier');
    expect(JSON.stringify(rows[0])).not.toContain(code);
    // The person is told a letter is on its way.
    const notice = await lastMessageTo(ctx.pool, required(nathalie.email, 'e-mail'), 'email');
    expect(notice?.subject).toBe('Un code vous est envoyé par courrier');
    const p = new TestBrowser(ctx.app);
    const ok = await p.submit('/activer-mon-compte', { nir: required(nathalie.nir, 'nir'), code });
    expect(ok.headers.location).toBe('/premiere-connexion');
  });

  it('sends a person with an account a code by letter that lets them choose a new password', async () => {
    const sophie = persona('allocataire-leroy');
    const id = await personId('allocataire-leroy');
    const to = await postalAddressOf(id);
    const b = await as('superviseur');
    await openFile(b, id, 'accueil');
    await intervene(b, id, 'code-courrier');
    // A second letter replaces the first: only the newest code works.
    const first = required(await lastMessageTo(ctx.pool, to, 'courrier'), 'letter');
    await intervene(b, id, 'code-courrier');
    const letter = required(await lastMessageTo(ctx.pool, to, 'courrier'), 'second letter');
    expect(letter.id).not.toBe(first.id);
    expect(letter.subject).toContain('nouveau mot de passe');
    expect(await auditRows(id, 'code-courrier')).toHaveLength(2);
    const old = required(/([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(first.body)?.[1], 'old code');
    const code = required(/([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(letter.body)?.[1], 'code');
    const stale = await new TestBrowser(ctx.app).submit('/activer-mon-compte', {
      nir: sophie.nir,
      code: old,
    });
    expect(stale.statusCode).toBe(400);
    const p = new TestBrowser(ctx.app);
    const ok = await p.submit('/activer-mon-compte', { nir: sophie.nir, code });
    expect(ok.headers.location).toBe('/premiere-connexion');
    await p.submit('/premiere-connexion', { password: 'Calanques-Marseille-2026' });
    const res = await new TestBrowser(ctx.app).login(sophie.nir, 'Calanques-Marseille-2026');
    expect(res.statusCode).toBe(303);
    expect((await new TestBrowser(ctx.app).login(sophie.nir, sophie.password)).statusCode).toBe(
      401,
    );
  });

  it('refuses the letter to a testeur, and to a person too young for an account', async () => {
    const nathalie = await personId('allocataire-non-migre');
    const to = await postalAddressOf(nathalie);
    const before = await lettersTo(to);
    const testeur = await as('testeur');
    const home = await testeur.get('/agents');
    const refused = await testeur.post(`/agents/personnes/${nathalie}/code-courrier`, {
      _csrf: csrfTokenOf(home.body),
    });
    expect(refused.statusCode).toBe(403);
    expect(await lettersTo(to)).toBe(before);
    const jade = await personId('enfant-leroy');
    const b = await as('conseiller');
    await openFile(b, jade);
    const tooYoung = await intervene(b, jade, 'code-courrier');
    expect(tooYoung.statusCode).toBe(403);
    expect(tooYoung.body).toContain('au moins 15 ans');
    expect(await auditRows(jade, 'code-courrier')).toEqual([]);
  });
});

describe('agents: test dossiers', () => {
  it('lists the personas and their credentials to a testeur', async () => {
    const b = await as('testeur');
    const res = await b.get('/agents/dossiers-de-test');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-persona="allocataire-non-migre"');
    expect(res.body).toContain(required(demo('allocataire-non-migre').legacyPassword, 'legacy'));
  });

  it('puts one persona back to its initial state, touching nobody else, with an audit row', async () => {
    const lea = await personId('enfant-16');
    const julien = await personId('conjoint-sans-delegation');
    const camille = persona('allocataire-migre');
    const camilleId = await personId('allocataire-migre');
    // Léa activated, Camille with another password, Julien with another e-mail.
    await ctx.pool.query("INSERT INTO accounts (person_id, password_hash) VALUES ($1, 'x')", [lea]);
    await ctx.pool.query('UPDATE accounts SET password_hash = $2 WHERE person_id = $1', [
      camilleId,
      await ctx.deps.hasher.hash('Autre-mot-de-passe-1'),
    ]);
    await ctx.pool.query("UPDATE persons SET email = 'autre@example.fr' WHERE id = $1", [julien]);
    const b = await as('testeur');
    const page = await b.get('/agents/dossiers-de-test');
    const reset = await b.post('/agents/dossiers-de-test/enfant-16/reinitialiser', {
      _csrf: csrfTokenOf(page.body),
    });
    expect(reset.headers.location).toBe('/agents/dossiers-de-test?fait=enfant-16');
    expect((await b.get('/agents/dossiers-de-test?fait=enfant-16')).body).toContain(
      'data-reset="enfant-16"',
    );
    const account = await ctx.pool.query('SELECT 1 FROM accounts WHERE person_id = $1', [lea]);
    expect(account.rowCount).toBe(0);
    expect(await auditRows(lea, 'reinitialiser-persona')).toHaveLength(1);
    // Nobody else changed.
    const other = await ctx.pool.query<{ email: string }>(
      'SELECT email FROM persons WHERE id = $1',
      [julien],
    );
    expect(other.rows[0]?.email).toBe('autre@example.fr');
    expect((await new TestBrowser(ctx.app).login(camille.nir, camille.password)).statusCode).toBe(
      401,
    );
    await b.post('/agents/dossiers-de-test/allocataire-migre/reinitialiser', {
      _csrf: csrfTokenOf(page.body),
    });
    expect(
      (await new TestBrowser(ctx.app).login(camille.nir, camille.password)).headers.location,
    ).toBe('/mon-compte');
    // An unknown key: 404, nothing written.
    const unknown = await b.post('/agents/dossiers-de-test/inconnu/reinitialiser', {
      _csrf: csrfTokenOf(page.body),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses the reset to a conseiller', async () => {
    const b = await as('conseiller');
    const home = await b.get('/agents');
    const res = await b.post('/agents/dossiers-de-test/enfant-16/reinitialiser', {
      _csrf: csrfTokenOf(home.body),
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('agents: « Créer des foyers » (test dossiers)', () => {
  const FOYERS = '/agents/dossiers-de-test/foyers';
  const dossiers = async () =>
    Number(
      required(
        (await ctx.pool.query<{ n: string }>('SELECT count(*) AS n FROM dossiers')).rows[0],
        'count',
      ).n,
    );

  it('adds N random households, the page showing the progress until done', async () => {
    const before = await dossiers();
    const b = await as('testeur');
    const list = await b.get('/agents/dossiers-de-test');
    expect(list.body).toContain(`href="${FOYERS}"`);
    const form = await b.get(FOYERS);
    expect(form.statusCode).toBe(200);
    for (const nombre of ['0', '10001', 'beaucoup']) {
      const bad = await b.submit(FOYERS, { nombre });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Saisissez un nombre de foyers entre 1 et 10');
      expect(bad.body).toContain(`value="${nombre}"`);
    }
    const started = await b.submit(FOYERS, { nombre: '50' });
    expect(started.headers.location).toBe(FOYERS);
    // The page refreshes itself while the job runs; the test reads it the same way.
    let page = await b.get(FOYERS);
    for (let i = 0; i < 600 && page.body.includes('data-job="running"'); i += 1) {
      expect(page.body).toContain('<meta http-equiv="refresh" content="2">');
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = await b.get(FOYERS);
    }
    expect(page.body).toContain('data-job="done"');
    // Outside the tags, a colon follows a no-break space (the views' typography).
    expect(page.body).toMatch(/data-progress>50 \/ 50 foyers créés\s: terminé\.</u);
    expect(page.body).not.toContain('http-equiv="refresh"');
    expect(await dossiers()).toBe(before + 50);
  });

  it('runs one job at a time: a second one is refused while the first runs', async () => {
    const agent = await ctx.pool.query<{ id: string }>(
      "SELECT id FROM agents WHERE role = 'testeur' LIMIT 1",
    );
    const running = await ctx.pool.query<{ id: string }>(
      'INSERT INTO random_household_jobs (agent_id, requested, created) VALUES ($1, 5000, 2300) RETURNING id',
      [required(agent.rows[0], 'agent').id],
    );
    const before = await dossiers();
    const b = await as('superviseur');
    const page = await b.get(FOYERS);
    expect(page.body).toContain('<meta http-equiv="refresh" content="2">');
    expect(page.body).toMatch(/2\s300 \/ 5\s000 foyers créés/u);
    const refused = await b.submit(FOYERS, { nombre: '10' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('déjà en cours');
    expect(await dossiers()).toBe(before);
    await ctx.pool.query('UPDATE random_household_jobs SET failed_at = now() WHERE id = $1', [
      required(running.rows[0], 'job').id,
    ]);
    expect((await b.get(FOYERS)).body).toContain('s’est arrêtée sur une erreur');
  });

  it('refuses a conseiller, and does not exist in production', async () => {
    const b = await as('conseiller');
    const jobs = async () =>
      (await ctx.pool.query('SELECT 1 FROM random_household_jobs')).rowCount ?? 0;
    const before = await jobs();
    const home = await b.get('/agents');
    const res = await b.post(FOYERS, { _csrf: csrfTokenOf(home.body), nombre: '5' });
    expect(res.statusCode).toBe(403);
    expect(await jobs()).toBe(before);
    const prod = await createTestApp(ctx.db, { NODE_ENV: 'production', LOG_LEVEL: 'silent' });
    try {
      const anonymous = new TestBrowser(prod.app);
      // A console page there sends to the login; this one is no route at all.
      expect((await anonymous.get('/agents/recherche')).headers.location).toBe('/agents/connexion');
      expect((await anonymous.get(FOYERS)).statusCode).toBe(404);
      expect(prod.app.routeTable.some((r) => r.url.startsWith('/agents/dossiers-de-test'))).toBe(
        false,
      );
    } finally {
      await prod.app.close();
    }
  });
});

describe('agents: « Équipe » — disabling an agent', () => {
  it('disables an agent: their sessions end, they cannot log in again, with an audit row', async () => {
    const created = await createAgent(ctx.deps, {
      login: 'agent.sortant',
      givenName: 'Paul',
      familyName: 'Sortant',
      role: 'conseiller',
    });
    if (!created.ok) throw new Error('agent not created');
    const target = new TestBrowser(ctx.app);
    const credentials = { login: 'agent.sortant', ...created };
    await agentLogin(target, credentials, tick());
    expect((await target.get('/agents')).statusCode).toBe(200);
    const id = required(
      (await ctx.pool.query<{ id: string }>("SELECT id FROM agents WHERE login = 'agent.sortant'"))
        .rows[0],
      'agent',
    ).id;

    // A conseiller cannot.
    const conseiller = await as('conseiller');
    const home = await conseiller.get('/agents');
    const refused = await conseiller.post(`/agents/equipe/${id}/desactiver`, {
      _csrf: csrfTokenOf(home.body),
    });
    expect(refused.statusCode).toBe(403);
    expect((await target.get('/agents')).statusCode).toBe(200);

    const b = await as('superviseur');
    const team = await b.get('/agents/equipe');
    expect(team.body).toContain('data-disable="agent.sortant"');
    // No button against oneself, and the server refuses it too.
    expect(team.body).not.toContain(`data-disable="${demoAgentOf('superviseur').login}"`);
    const self = await b.submit(`/agents/equipe/${await agentId('superviseur')}/desactiver`, {});
    expect(self.statusCode).toBe(403);
    expect(self.body).toContain('votre propre compte');

    const confirm = await b.get(`/agents/equipe/${id}/desactiver`);
    expect(confirm.body).toContain('ne pourra plus se connecter');
    const done = await b.submit(`/agents/equipe/${id}/desactiver`, {});
    expect(done.headers.location).toBe('/agents/equipe?fait=desactive');
    expect((await b.get('/agents/equipe?fait=desactive')).body).toContain('data-done');

    expect((await target.get('/agents')).headers.location).toBe('/agents/connexion');
    const sessions = await ctx.pool.query(
      'SELECT 1 FROM agent_sessions WHERE agent_id = $1 AND revoked_at IS NULL',
      [id],
    );
    expect(sessions.rowCount).toBe(0);
    const again = await new TestBrowser(ctx.app).submit('/agents/connexion', {
      login: 'agent.sortant',
      password: created.password,
    });
    expect(again.headers.location).not.toBe('/agents/connexion/code');
    const audit = await ctx.pool.query<{ actor_agent_id: string }>(
      "SELECT actor_agent_id FROM audit_log WHERE action = 'agent:desactiver-agent' AND details->>'targetAgentId' = $1",
      [id],
    );
    expect(audit.rows).toEqual([{ actor_agent_id: await agentId('superviseur') }]);
    // Again: nothing to do, no second row.
    await b.submit(`/agents/equipe/${id}/desactiver`, {});
    const rows = await ctx.pool.query(
      "SELECT 1 FROM audit_log WHERE action = 'agent:desactiver-agent' AND details->>'targetAgentId' = $1",
      [id],
    );
    expect(rows.rowCount).toBe(1);
  });
});
