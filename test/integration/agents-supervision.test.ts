import { describe, expect, it } from 'vitest';
import type { DataCategory } from '#src/db/repositories/access-log.ts';
import { agentMay, agentRoles, type AgentRole } from '#src/domain/agent-access.ts';
import { MAINTENANCE_TEXT } from '#src/domain/maintenance.ts';
import { agentRouteActions } from '#src/http/journeys/agents-area.ts';
import { formatParisDateTime } from '#src/http/paris-time.ts';
import { incidentReport, type IncidentReport } from '#src/services/incidents/report.ts';
import { useTestApp } from '../support/app.ts';
import { agentLogin, demoAgentOf } from '../support/agents.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
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

async function agentId(role: AgentRole): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM agents WHERE login = $1', [
    demoAgentOf(role).login,
  ]);
  return required(r.rows[0]?.id, role);
}

async function personId(key: string): Promise<string> {
  const nir = required(demo(key).nir, 'nir');
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [nir]);
  return required(r.rows[0]?.id, key);
}

async function dossierOf(key: string): Promise<string> {
  const r = await ctx.pool.query<{ dossier_id: string }>(
    'SELECT dossier_id FROM dossier_members WHERE person_id = $1',
    [await personId(key)],
  );
  return required(r.rows[0]?.dossier_id, `dossier of ${key}`);
}

/** A synthetic access-log row (never a leak added to the application). */
async function plant(viewer: string, dossier: string | null, categories: DataCategory[]) {
  await ctx.pool.query(
    `INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
     VALUES ($1, $2, $3, $4, '/synthetique')`,
    [Buffer.alloc(32, 7), await personId(viewer), dossier, categories],
  );
}

async function demarche(author: string, key: string): Promise<void> {
  await ctx.pool.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, idempotency_key, status)
     VALUES ($1, $2, 'changement-adresse', $3, 'envoyee')`,
    [await dossierOf(author), await personId(author), key],
  );
}

async function loggedIn(key: string): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  expect((await b.login(p.nir, p.password)).statusCode).toBe(303);
  return b;
}

async function auditOf(action: string) {
  const r = await ctx.pool.query<{ actor_agent_id: string | null; details: { incident?: string } }>(
    'SELECT actor_agent_id, details FROM audit_log WHERE action = $1 ORDER BY at',
    [action],
  );
  return r.rows;
}

const numberOf = (html: string, key: string) =>
  Number(required(new RegExp(`data-n="${key}">(\\d+)<`).exec(html)?.[1], key));
const noticeOf = (html: string) =>
  /data-notice><p>([^<]+)<\/p>/.exec(html)?.[1]?.replaceAll('&#39;', '’') ?? null;

/** Confirms an action: its page first (a confirmation step), then the form. */
async function act(b: TestBrowser, id: string, action: string) {
  const confirm = await b.get(`/agents/incidents/${id}/${action}`);
  expect(confirm.statusCode).toBe(200);
  expect(confirm.body).toContain('data-confirm');
  const done = await b.post(`/agents/incidents/${id}/${action}`, {
    _csrf: csrfTokenOf(confirm.body),
  });
  expect(done.statusCode).toBe(303);
  const page = await b.get(String(done.headers.location));
  return noticeOf(page.body);
}

/** Builds an incident over a window of planted rows, declared from the console. */
async function plantedIncident(sup: TestBrowser): Promise<{ id: string; report: IncidentReport }> {
  const dbNow = required(
    (await ctx.pool.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]?.t,
    'clock',
  );
  // The form takes minutes: the window opens at the minute before the planted rows.
  const debut = formatParisDateTime(new Date(dbNow.getTime() - 60_000));
  await loggedIn('allocataire-leroy');
  await loggedIn('conjoint-sans-delegation');
  await plant('conjoint-avec-delegation', await dossierOf('allocataire-leroy'), ['paiements']);
  await plant('conjoint-sans-delegation', await dossierOf('allocataire-migre'), ['paiements']);
  await plant('foyer-sans-lien', await dossierOf('allocataire-leroy'), ['paiements', 'membres']);
  await demarche('allocataire-leroy', `console-${String(clock)}-1`);
  await demarche('conjoint-sans-delegation', `console-${String(clock)}-2`);
  const declared = await sup.submit('/agents/incidents', {
    debut,
    fin: '',
    description: 'Synthétique : affichages croisés (console)',
  });
  expect(declared.statusCode).toBe(303);
  const id = required(
    /\/agents\/incidents\/(\d+)$/.exec(String(declared.headers.location))?.[1],
    'id',
  );
  const report = required(await incidentReport(ctx.deps, id), 'report');
  return { id, report };
}

describe('console: maintenance (superviseur)', () => {
  it('switches the public site off and on from the console; the console stays up; audited', async () => {
    const sup = await as('superviseur');
    const page = await sup.get('/agents/maintenance');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-maintenance-state="off"');

    const on = await sup.submit(
      '/agents/maintenance',
      { terminer: 'on' },
      '/agents/maintenance/activer',
    );
    expect(on.headers.location).toBe('/agents/maintenance?fait=activee');
    const publicPage = await new TestBrowser(ctx.app).get('/connexion');
    expect(publicPage.statusCode).toBe(503);
    expect(publicPage.body).toContain(MAINTENANCE_TEXT.replaceAll('’', '&#39;').slice(0, 40));
    const consolePage = await sup.get('/agents/maintenance?fait=activee');
    expect(consolePage.statusCode).toBe(200);
    expect(consolePage.body).toContain('data-maintenance-state="on"');
    expect(consolePage.body).toContain('La maintenance est activée');

    const off = await sup.submit('/agents/maintenance', {}, '/agents/maintenance/desactiver');
    expect(off.headers.location).toBe('/agents/maintenance?fait=desactivee');
    expect((await new TestBrowser(ctx.app).get('/connexion')).statusCode).toBe(200);

    const me = await agentId('superviseur');
    expect((await auditOf('maintenance-set')).at(-1)?.actor_agent_id).toBe(me);
    expect((await auditOf('maintenance-off')).at(-1)?.actor_agent_id).toBe(me);
  });

  it('plans a window in Paris time, and says by the field what is wrong', async () => {
    const sup = await as('superviseur');
    const bad = await sup.submit(
      '/agents/maintenance',
      { debut: '31/02/2030 22:00', fin: '', messagePlan: 'Mise à jour' },
      '/agents/maintenance/planifier',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('id="debut-error"');
    expect(bad.body).toContain('Saisissez la date de début valide, au format JJ/MM/AAAA HH:MM.');
    expect(bad.body).toContain('id="fin-error"');
    expect(bad.body).toContain('href="#debut"');
    expect(bad.body).toMatch(/id="debut"[^>]*value="31\/02\/2030 22:00"/);
    expect(bad.body).toMatch(/id="messagePlan"[^>]*value="Mise à jour"/);

    const ok = await sup.submit(
      '/agents/maintenance',
      { debut: '01/07/2030 22:00', fin: '02/07/2030 06:30' },
      '/agents/maintenance/planifier',
    );
    expect(ok.headers.location).toBe('/agents/maintenance?fait=planifiee');
    const row = await ctx.pool.query<{ starts_at: Date; ends_at: Date }>(
      'SELECT starts_at, ends_at FROM maintenance',
    );
    // Summer time in Paris: UTC+2.
    expect(row.rows[0]?.starts_at.toISOString()).toBe('2030-07-01T20:00:00.000Z');
    expect(row.rows[0]?.ends_at.toISOString()).toBe('2030-07-02T04:30:00.000Z');
    const state = await sup.get('/agents/maintenance');
    expect(state.body).toContain('data-maintenance-state="planned"');
    expect(state.body).toContain('01/07/2030 22:00');
    await sup.submit('/agents/maintenance', {}, '/agents/maintenance/desactiver');
    expect((await sup.get('/agents/maintenance')).body).toContain('data-maintenance-state="off"');
  });
});

describe('console: incidents (superviseur)', () => {
  it('declares an incident, shows the report’s numbers, runs each action once, downloads the facts', async () => {
    const sup = await as('superviseur');
    const { id, report } = await plantedIncident(sup);
    expect(report.displays.foreign.length).toBeGreaterThan(0);
    expect(report.sessions.count).toBeGreaterThan(0);
    expect(report.demarches.length).toBeGreaterThan(0);

    const page = await sup.get(`/agents/incidents/${id}`);
    expect(page.statusCode).toBe(200);
    expect({
      sessions: numberOf(page.body, 'sessions'),
      sessionPersons: numberOf(page.body, 'session-persons'),
      examined: numberOf(page.body, 'examined'),
      foreign: numberOf(page.body, 'foreign'),
      demarches: numberOf(page.body, 'demarches'),
      contacts: numberOf(page.body, 'contacts'),
      exposed: numberOf(page.body, 'exposed'),
      exposing: numberOf(page.body, 'exposing'),
      nonConcernes: numberOf(page.body, 'non-concernes'),
    }).toEqual({
      sessions: report.sessions.count,
      sessionPersons: report.sessions.persons.length,
      examined: report.displays.examined,
      foreign: report.displays.foreign.length,
      demarches: report.demarches.length,
      contacts: report.contacts.all.length,
      exposed: report.contacts.exposed.length,
      exposing: report.contacts.exposing.length,
      nonConcernes: report.nonConcernes,
    });
    for (const d of report.displays.exposedDossiers)
      expect(page.body).toContain(required(d.dossierNumber, 'number'));
    expect((await sup.get('/agents/incidents')).body).toContain(`/agents/incidents/${id}"`);

    // Each action twice: the second does nothing more.
    expect(await act(sup, id, 'revoquer-sessions')).toBe(
      `${String(report.sessions.count)} session(s) fermée(s).`,
    );
    expect(await act(sup, id, 'revoquer-sessions')).toContain('rien de plus');
    expect(await act(sup, id, 'annuler-demarches')).toContain(
      `${String(report.demarches.length)} démarche(s) annulée(s)`,
    );
    expect(await act(sup, id, 'annuler-demarches')).toContain('rien de plus');
    const cancelled = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM demarches WHERE cancel_reason LIKE $1`,
      [`%n° ${id} %`],
    );
    expect(cancelled.rows[0]?.n).toBe(report.demarches.length);
    expect(await act(sup, id, 'notifier')).toBe(
      `${String(report.contacts.all.length)} personne(s) prévenue(s).`,
    );
    expect(await act(sup, id, 'notifier')).toContain('rien de plus');
    const notices = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM incident_notices WHERE incident_id = $1',
      [id],
    );
    expect(notices.rows[0]?.n).toBe(report.contacts.all.length);

    // Every action audited once with the agent as its actor (the second runs too, doing nothing).
    const me = await agentId('superviseur');
    for (const action of ['incident-declare', 'incident-revoke-sessions', 'incident-notify']) {
      const rows = (await auditOf(action)).filter((r) => r.details.incident === id);
      expect(rows.length, action).toBeGreaterThan(0);
      expect(
        rows.every((r) => r.actor_agent_id === me),
        action,
      ).toBe(true);
    }

    // The CNIL facts: the report's numbers, to download and not to keep.
    const json = await sup.get(`/agents/incidents/${id}/cnil.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.headers['content-disposition']).toBe(
      `attachment; filename="incident-${id}-cnil.json"`,
    );
    const facts: unknown = JSON.parse(json.body);
    expect(facts).toMatchObject({
      incident: { id },
      persons: {
        exposed: report.contacts.exposed.length,
        exposing: report.contacts.exposing.length,
        toContact: report.contacts.all.length,
        sessionsInWindow: report.sessions.count,
        personsWithSessionsInWindow: report.sessions.persons.length,
        notConcerned: report.nonConcernes,
      },
      records: {
        displaysExamined: report.displays.examined,
        foreignDisplays: report.displays.foreign.length,
        dossiersExposed: report.displays.exposedDossiers.length,
        demarchesInWindow: report.demarches.length,
      },
    });
    const pdf = await sup.get(`/agents/incidents/${id}/cnil.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['cache-control']).toBe('no-store');
    expect(pdf.headers['content-disposition']).toMatch(/^attachment; /);
    expect(pdf.body.startsWith('%PDF-')).toBe(true);

    // Closed: a second close does nothing more, and no action is offered any more.
    expect(await act(sup, id, 'clore')).toBe('L’incident est clos.');
    const closed = await sup.get(`/agents/incidents/${id}`);
    expect(closed.body).not.toContain('data-actions');
    const again = await sup.post(`/agents/incidents/${id}/clore`, {
      _csrf: csrfTokenOf(closed.body),
    });
    expect(noticeOf((await sup.get(String(again.headers.location))).body)).toContain('déjà clos');
    expect((await auditOf('incident-close')).filter((r) => r.details.incident === id)).toHaveLength(
      1,
    );
  });

  it('says by the field what is wrong in a declaration, the values kept', async () => {
    const sup = await as('superviseur');
    const res = await sup.submit('/agents/incidents', { debut: '12/13/2026 10:00', fin: 'demain' });
    expect(res.statusCode).toBe(400);
    for (const f of ['debut', 'fin', 'description']) {
      expect(res.body).toContain(`id="${f}-error"`);
      expect(res.body).toContain(`href="#${f}"`);
    }
    expect(res.body).toMatch(/id="fin"[^>]*value="demain"/);
  });
});

describe('console: supervision refused to the other roles', () => {
  it('answers 403 to a conseiller and a testeur on every page, and their forms change nothing', async () => {
    const sup = await as('superviseur');
    const { id } = await plantedIncident(sup);
    // Every route of these pages, from the app's route table, with its matrix action.
    const routes = ctx.app.routeTable
      .filter(
        (r) => r.url.startsWith('/agents/maintenance') || r.url.startsWith('/agents/incidents'),
      )
      .flatMap((r) => {
        const action = agentRouteActions[r.url];
        return r.method === 'HEAD' ? [] : [{ method: r.method, route: r.url, action }];
      });
    expect(routes.map((r) => r.action)).not.toContain(undefined);
    expect(new Set(routes.map((r) => r.route)).size).toBe(9);
    const audited = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'incident-%' OR action LIKE 'maintenance-%'`,
        )
      ).rows[0]?.n;
    for (const role of agentRoles) {
      const b = await as(role);
      const home = await b.get('/agents');
      const before = await audited();
      for (const { method, route, action } of routes) {
        const url = route.replace(':id', id).replace(':action', 'clore');
        const allowed = action !== undefined && action !== 'open' && agentMay(role, action);
        if (allowed) {
          if (method === 'GET')
            expect({ role, url, status: (await b.get(url)).statusCode }).toEqual({
              role,
              url,
              status: 200,
            });
          continue;
        }
        const res =
          method === 'GET'
            ? await b.get(url)
            : await b.post(url, { _csrf: csrfTokenOf(home.body) });
        expect({ role, method, url, status: res.statusCode }).toEqual({
          role,
          method,
          url,
          status: 403,
        });
        expect(res.body).toContain('Page réservée');
        expect(res.body).not.toContain('Synthétique');
      }
      if (role !== 'superviseur') expect(await audited(), role).toBe(before);
    }
    expect((await new TestBrowser(ctx.app).get('/agents/incidents')).headers.location).toBe(
      '/agents/connexion',
    );
  });
});
