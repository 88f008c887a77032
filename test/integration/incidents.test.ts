import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import type { DataCategory } from '#src/db/repositories/access-log.ts';
import {
  cancelIncidentDemarches,
  closeIncident,
  declareIncident,
  revokeIncidentSessions,
  sendIncidentNotices,
} from '#src/services/incidents/actions.ts';
import { cnilDocuments } from '#src/services/incidents/cnil.ts';
import { incidentReport } from '#src/services/incidents/report.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { waitForDelivery } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

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

/** A synthetic access-log row (never a leak added to the application): its id. */
async function plant(viewer: string, dossier: string | null, categories: DataCategory[]) {
  const r = await ctx.pool.query<{ id: string }>(
    `INSERT INTO access_log (session_hash, person_id, dossier_id, categories, route)
     VALUES ($1, $2, $3, $4, '/synthetique') RETURNING id::text AS id`,
    [Buffer.alloc(32, 7), await personId(viewer), dossier, categories],
  );
  return required(r.rows[0]?.id, 'access_log id');
}

async function demarche(author: string, key: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, idempotency_key, status)
     VALUES ($1, $2, 'changement-adresse', $3, 'envoyee') RETURNING id`,
    [await dossierOf(author), await personId(author), key],
  );
  return required(r.rows[0]?.id, 'demarche');
}

async function loggedIn(key: string): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  expect((await b.login(p.nir, p.password)).statusCode).toBe(303);
  return b;
}

const dbNow = async () =>
  required(
    (await ctx.pool.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0]?.t,
    'clock',
  );

async function messagesTo(address: string, subject: string): Promise<number> {
  await waitForDelivery(ctx.pool);
  const r = await ctx.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = $1 AND subject = $2`,
    [address, subject],
  );
  return r.rows[0]?.n ?? 0;
}

describe('incident response', () => {
  it('reports exactly the planted foreign displays, and its actions are exact and idempotent', async () => {
    const leroy = await dossierOf('allocataire-leroy');
    const martin = await dossierOf('allocataire-migre');

    // Before the window: a session, a display that would be foreign, a démarche.
    const before = await loggedIn('allocataire-migre');
    await plant('foyer-sans-lien', leroy, ['paiements']);
    const earlyDemarche = await demarche('allocataire-migre', 'incident-test-avant');

    const start = await dbNow();
    const inWindow = [
      await loggedIn('allocataire-leroy'),
      await loggedIn('conjoint-sans-delegation'),
    ];
    const legitimate = [
      // A conjoint with delegation seeing payments: legitimate.
      await plant('conjoint-avec-delegation', leroy, ['paiements']),
      // A conjoint without delegation seeing the household summary: legitimate.
      await plant('conjoint-sans-delegation', martin, ['membres', 'adresse']),
      await plant('allocataire-migre', martin, ['paiements', 'coordonnees-bancaires']),
      // One's own identity, outside any dossier.
      await plant('foyer-sans-lien', null, ['identite']),
    ];
    const foreign = [
      // A conjoint without delegation seeing payments: not entitled (delegation granted later).
      await plant('conjoint-sans-delegation', martin, ['paiements']),
      // Someone of another household.
      await plant('foyer-sans-lien', leroy, ['paiements', 'membres']),
    ];
    const windowDemarches = [
      await demarche('allocataire-leroy', 'incident-test-1'),
      await demarche('allocataire-leroy', 'incident-test-2'),
      await demarche('conjoint-sans-delegation', 'incident-test-3'),
    ];
    await ctx.pool.query(`UPDATE accounts SET password_changed_at = now() WHERE person_id = $1`, [
      await personId('allocataire-leroy'),
    ]);
    const end = await dbNow();

    // After the window: the delegation granted, a session, a foreign display, a démarche.
    await ctx.pool.query(`UPDATE dossier_members SET delegation = true WHERE person_id = $1`, [
      await personId('conjoint-sans-delegation'),
    ]);
    const after = await loggedIn('conjoint-avec-delegation');
    await plant('foyer-sans-lien', martin, ['paiements']);
    const lateDemarche = await demarche('allocataire-migre', 'incident-test-apres');

    const declared = await declareIncident(ctx.deps, 'test', {
      startsAt: start,
      endsAt: end,
      description: 'Synthétique : affichages croisés',
    });
    if (!declared.ok) throw new Error(declared.reason);
    const id = declared.incident.id;

    const report = required(await incidentReport(ctx.deps, id), 'report');
    expect(report.displays.examined).toBe(legitimate.length + foreign.length);
    expect(report.displays.foreign.map((f) => f.accessLogId).sort()).toEqual([...foreign].sort());
    expect(report.displays.foreign.find((f) => f.accessLogId === foreign[1])?.categories).toEqual([
      'paiements',
      'membres',
    ]);
    expect(report.displays.exposedDossiers.map((d) => d.dossierId).sort()).toEqual(
      [leroy, martin].sort(),
    );
    expect(report.displays.categories).toEqual(['membres', 'paiements']);
    expect(report.contacts.exposing.map((p) => p.id).sort()).toEqual(
      [await personId('conjoint-sans-delegation'), await personId('foyer-sans-lien')].sort(),
    );
    const members = await ctx.pool.query<{ person_id: string }>(
      'SELECT person_id FROM dossier_members WHERE dossier_id = ANY($1::uuid[])',
      [[leroy, martin]],
    );
    expect(report.contacts.exposed.map((p) => p.id).sort()).toEqual(
      members.rows.map((m) => m.person_id).sort(),
    );
    expect(report.sessions.count).toBe(2);
    expect(report.sessions.persons.map((p) => p.id).sort()).toEqual(
      [await personId('allocataire-leroy'), await personId('conjoint-sans-delegation')].sort(),
    );
    expect(report.demarches.map((d) => d.id).sort()).toEqual([...windowDemarches].sort());
    const accounts = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM accounts WHERE created_at < $1',
      [start],
    );
    // Every account but Sophie's, whose password changed inside the window.
    expect(report.nonConcernes).toBe(required(accounts.rows[0]?.n, 'accounts') - 1);

    // Sessions: the window's revoked, in one action; the others live on.
    const revoked = await revokeIncidentSessions(ctx.deps, 'test', id);
    expect(revoked).toEqual({ ok: true, revoked: 2 });
    for (const b of inWindow) expect(headerNameOf((await b.get('/mon-compte')).body)).toBeNull();
    expect(headerNameOf((await before.get('/mon-compte')).body)).toBe('Camille MARTIN');
    expect(headerNameOf((await after.get('/mon-compte')).body)).toBe('Antoine LEROY');
    expect(await revokeIncidentSessions(ctx.deps, 'test', id)).toEqual({ ok: true, revoked: 0 });

    // Démarches: cancelled exactly once, even when the action runs twice at once.
    const subject = 'Une démarche faite sur Mon Compte a été annulée';
    const runs = await Promise.all([
      cancelIncidentDemarches(ctx.deps, 'test', id),
      cancelIncidentDemarches(ctx.deps, 'test', id),
    ]);
    const cancelledCounts = runs.map((r) => (r.ok ? r.cancelled : -1)).sort();
    expect(cancelledCounts).toEqual([0, 3]);
    expect(await cancelIncidentDemarches(ctx.deps, 'test', id)).toMatchObject({ cancelled: 0 });
    const statuses = await ctx.pool.query<{ id: string; status: string; cancel_reason: string }>(
      'SELECT id, status, cancel_reason FROM demarches WHERE id = ANY($1::uuid[])',
      [[...windowDemarches, earlyDemarche, lateDemarche]],
    );
    for (const row of statuses.rows) {
      const inside = windowDemarches.includes(row.id);
      expect(row.status, row.id).toBe(inside ? 'annulee' : 'envoyee');
      if (inside) expect(row.cancel_reason).toContain(`n° ${id}`);
    }
    expect(await messagesTo('sophie.leroy@example.fr', subject)).toBe(1);
    expect(await messagesTo('julien.martin@example.fr', subject)).toBe(1);
    expect(await messagesTo('camille.martin@example.fr', subject)).toBe(0);

    // Contact notices: once per person, whatever how often the action runs.
    const notices = await sendIncidentNotices(ctx.deps, 'test', id);
    expect(notices).toMatchObject({ ok: true, sent: report.contacts.all.length });
    expect(await sendIncidentNotices(ctx.deps, 'test', id)).toMatchObject({ sent: 0 });
    const noticeSubject = 'Incident de sécurité sur Mon Compte';
    expect(await messagesTo('marie.petit@example.fr', noticeSubject)).toBe(1);
    expect(await messagesTo('antoine.leroy@example.fr', noticeSubject)).toBe(1);
    expect(await messagesTo('nathalie.dubois@example.fr', noticeSubject)).toBe(0);

    // Every action audited.
    const audit = await ctx.pool.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE details->>'incident' = $1 ORDER BY id`,
      [id],
    );
    expect(new Set(audit.rows.map((r) => r.action))).toEqual(
      new Set([
        'incident-declare',
        'incident-revoke-sessions',
        'incident-cancel-demarches',
        'incident-notify',
      ]),
    );

    // The CNIL document: every number is the report's, in the JSON and in the PDF's text.
    const docs = required(await cnilDocuments(ctx.deps, id), 'cnil');
    const { facts } = docs;
    expect(facts.records.foreignDisplays).toBe(report.displays.foreign.length);
    expect(facts.records.dossiersExposed).toBe(report.displays.exposedDossiers.length);
    expect(facts.records.displaysExamined).toBe(report.displays.examined);
    expect(facts.records.demarchesInWindow).toBe(report.demarches.length);
    expect(facts.persons.exposed).toBe(report.contacts.exposed.length);
    expect(facts.persons.exposing).toBe(report.contacts.exposing.length);
    expect(facts.persons.sessionsInWindow).toBe(report.sessions.count);
    expect(facts.persons.notConcerned).toBe(report.nonConcernes);
    expect(facts.dataCategories).toHaveLength(report.displays.categories.length);
    expect(facts.measuresTaken.join(' ')).toContain(
      `${String(report.demarches.length)} démarche(s)`,
    );
    const text = (await new PDFParse({ data: docs.pdf }).getText()).text.replace(/\s+/g, ' ');
    expect(text).toContain(
      `Affichages à une personne non habilitée : ${String(report.displays.foreign.length)}`,
    );
    expect(text).toContain(
      `Personnes dont les données ont été exposées (approximatif) : ${String(report.contacts.exposed.length)}`,
    );
    expect(text).toContain(`Dossiers exposés : ${String(report.displays.exposedDossiers.length)}`);
    expect(text).toContain(
      `Sessions ouvertes pendant la période : ${String(report.sessions.count)}`,
    );

    // Closed: no further action.
    expect(await closeIncident(ctx.deps, 'test', id)).toEqual({ ok: true });
    expect(await revokeIncidentSessions(ctx.deps, 'test', id)).toEqual({
      ok: false,
      reason: 'closed',
    });
  });

  it('refuses a window that ends before it starts, and an unknown incident', async () => {
    const now = await dbNow();
    const r = await declareIncident(ctx.deps, 'test', {
      startsAt: now,
      endsAt: new Date(now.getTime() - 1000),
      description: 'x',
    });
    expect(r).toEqual({ ok: false, reason: 'bad-window' });
    expect(await incidentReport(ctx.deps, '999999')).toBeNull();
    expect(await incidentReport(ctx.deps, 'abc')).toBeNull();
    expect(await closeIncident(ctx.deps, 'test', '999999')).toEqual({
      ok: false,
      reason: 'unknown',
    });
  });
});
