import { beforeAll, describe, expect, it } from 'vitest';
import { ageOn, isAllowed, type Membership } from '#src/domain/access.ts';
import { demoDossiers } from '#src/seed/demo.ts';
import { loadDemarches } from '#src/services/demarches.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';

const ctx = useTestApp();

const PATH = '/mon-compte/demarches';
const LEA_PASSWORD = 'Lycee-Paris-2010';
const CANCEL_REASON =
  'Vous avez annulé cette déclaration : le déménagement n’a finalement pas eu lieu.';
const COUPLES = new Set(['Marié(e)s', 'Pacsé(e)s', 'Vie maritale']);

async function personId(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir = $1 OR provisional_id = $2',
    [p.nir, p.provisionalId],
  );
  return required(r.rows[0]?.id, key);
}

async function loginAs(key: string): Promise<TestBrowser> {
  const p = demo(key);
  const b = new TestBrowser(ctx.app);
  const password = key === 'enfant-16' ? LEA_PASSWORD : required(p.password, 'password');
  const res = p.provisionalId
    ? await b.submit('/identifiant-provisoire', { identifiant: p.provisionalId, password })
    : await b.login(required(p.nir, 'nir'), password);
  expect(res.headers.location).toBe('/mon-compte');
  return b;
}

function membershipOf(key: string): Membership | null {
  const p = demo(key);
  if (p.role === 'primo-demandeur' || p.role === 'agent') return null;
  return { role: p.role, delegation: p.delegation ?? false, age: ageOn(p.birthdate, new Date()) };
}

beforeAll(async () => {
  // Léa (16, no delegation) gets an account, and one démarche of her own: a document sent.
  const lea = await personId('enfant-16');
  await ctx.pool.query(
    "UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1",
    [lea],
  );
  await ctx.pool.query('INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2)', [
    lea,
    await ctx.deps.hasher.hash(LEA_PASSWORD),
  ]);
  await ctx.pool.query(
    `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key, status)
     SELECT id, $1, 'document', '{"title": "Certificat de scolarité"}', 'test-lea-document', 'en-cours'
       FROM dossiers WHERE number = '1234567'`,
    [lea],
  );
});

const keys = [
  'allocataire-migre',
  'conjoint-sans-delegation',
  'enfant-16',
  'allocataire-leroy',
  'conjoint-avec-delegation',
  'identifiant-provisoire',
  'foyer-sans-lien',
];

describe('Mes démarches, persona by persona (docs/design.md §3)', () => {
  for (const key of keys) {
    it(`${key}: the household’s démarches or only their own, and the separation as allowed`, async () => {
      const m = required(membershipOf(key), 'membership');
      const dossier = required(
        demoDossiers.find((d) => d.members.some((x) => x.key === key)),
        'dossier',
      );
      const me = await personId(key);
      const household = isAllowed(m, 'dossier-summary');
      const rows = await ctx.pool.query<{ id: string }>(
        `SELECT d.id FROM demarches d JOIN dossiers x ON x.id = d.dossier_id
          WHERE x.number = $1 AND ($2::uuid IS NULL OR d.author_person_id = $2)`,
        [dossier.number, household ? null : me],
      );
      const others = await ctx.pool.query<{ id: string }>(
        `SELECT d.id FROM demarches d JOIN dossiers x ON x.id = d.dossier_id
          WHERE x.number = $1 AND d.author_person_id <> $2`,
        [dossier.number, me],
      );
      const b = await loginAs(key);
      const res = await b.get(PATH);
      expect(res.statusCode).toBe(200);
      const shown = [...res.body.matchAll(/<tr data-demarche="[^"]+" data-id="([^"]+)"/g)].map(
        (x) => x[1],
      );
      expect(shown.sort()).toEqual(rows.rows.map((r) => r.id).sort());
      if (!household) {
        for (const r of others.rows) expect(res.body).not.toContain(r.id);
      }
      expect(res.body.includes('>Déclarer une séparation</a>')).toBe(
        isAllowed(m, 'declare-separation') && COUPLES.has(dossier.familySituation),
      );
      expect(res.body.includes('>Déclarer un changement d’adresse</a>')).toBe(
        isAllowed(m, 'declare-address-change'),
      );
      // The category tells an incident report which cell allowed the display.
      const logged = await ctx.pool.query(
        'SELECT 1 FROM access_log WHERE person_id = $1 AND route = $2 AND $3 = ANY(categories)',
        [me, PATH, household ? 'demarches' : 'demarches-personnelles'],
      );
      expect(logged.rowCount).toBeGreaterThan(0);
    });
  }

  it('a cancelled démarche says why; a draft links to where it resumes; a sent one to its receipt', async () => {
    const camille = await (await loginAs('allocataire-migre')).get(PATH);
    // Spaces before « : » become no-break ones on every page.
    expect(camille.body.replace(/\u00a0/g, ' ')).toContain(
      `Motif de l’annulation : ${CANCEL_REASON}`,
    );
    expect(camille.body).toContain('Changement d’adresse');
    const lea = await (await loginAs('enfant-16')).get(PATH);
    expect(lea.body).toContain('Certificat de scolarité');
    expect(lea.body.replace(/\u00a0/g, ' ')).not.toContain(CANCEL_REASON);

    const sophie = await (await loginAs('allocataire-leroy')).get(PATH);
    expect(sophie.body).toMatch(
      /data-demarche="brouillon"[\s\S]*?href="\/mon-compte\/declaration-trimestrielle">Reprendre le brouillon/,
    );

    const amadou = await loginAs('identifiant-provisoire');
    const list = await amadou.get(PATH);
    expect(list.body).toContain('Traitée');
    const receipt = required(
      /href="(\/mon-compte\/declaration-trimestrielle\/accuse-de-reception\?trimestre=[^"]+)"/.exec(
        list.body,
      )?.[1],
      'receipt link',
    );
    const pdf = await amadou.get(receipt);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
  });

  it('a person without a dossier has none to follow', async () => {
    const ines = await (await loginAs('primo-demandeur')).get(PATH);
    expect(ines.statusCode).toBe(200);
    expect(ines.body).toContain('Vous n’avez pas encore de dossier à la Caf');
  });
});

describe('the hub card « Déclaration trimestrielle à faire »', () => {
  it('shows for the RSA and PPA households while due, with the draft when there is one', async () => {
    const amadou = await (await loginAs('identifiant-provisoire')).get('/mon-compte');
    expect(amadou.body).toContain('data-hub="declaration"');
    expect(amadou.body).toContain('Déclaration trimestrielle à faire');
    expect(amadou.body).toContain('Déclarez vos ressources au plus tard le');
    const sophie = await (await loginAs('allocataire-leroy')).get('/mon-compte');
    expect(sophie.body).toContain('Votre brouillon est enregistré');
    const camille = await (await loginAs('allocataire-migre')).get('/mon-compte');
    expect(camille.body).not.toContain('data-hub="declaration"');
  });
});

describe('the dashboard’s separation notice', () => {
  it('shows a separation under study, and no longer once the Caf has treated or cancelled it', async () => {
    const marie = await personId('foyer-sans-lien');
    const row = await ctx.pool.query<{ id: string }>(
      `INSERT INTO demarches (dossier_id, author_person_id, kind, details, idempotency_key)
       SELECT dossier_id, $1, 'separation', '{"date": "2026-10-01"}', gen_random_uuid()::text
         FROM dossier_members WHERE person_id = $1 RETURNING id`,
      [marie],
    );
    const id = required(row.rows[0]?.id, 'démarche');
    const b = await loginAs('foyer-sans-lien');
    expect((await b.get('/mon-compte')).body).toContain('data-demarche="separation"');
    for (const status of ['traitee', 'annulee']) {
      await ctx.pool.query('UPDATE demarches SET status = $2 WHERE id = $1', [id, status]);
      expect((await b.get('/mon-compte')).body).not.toContain('data-demarche="separation"');
    }
  });
});

describe('Mes démarches in one statement (ADR 0014)', () => {
  it('re-checks the memberships it decided on: a role changed in between is read afresh, logged once', async () => {
    const julien = await personId('conjoint-sans-delegation');
    const claims = await openSession(ctx.pool, ctx.deps.config.session, {
      personId: julien,
      method: 'password',
      acr: null,
      clientIp: null,
      userAgent: null,
    });
    const started = await startRequest(ctx.deps, claims);
    const principal = required(started.principal, 'Julien signed in');
    expect(started.dossiers.map((d) => d.membership.role)).toEqual(['conjoint']);
    const dossierId = required(started.dossiers[0], 'his dossier').dossier.id;
    // The household has démarches of others: the stale decision (the conjoint's) would list them.
    const others = await ctx.pool.query(
      'SELECT 1 FROM demarches WHERE dossier_id = $1 AND author_person_id <> $2',
      [dossierId, julien],
    );
    expect(others.rowCount).toBeGreaterThan(0);
    // Between the session's statement and the page's, he becomes a mere member of the household.
    await ctx.pool.query("UPDATE dossier_members SET role = 'autre' WHERE person_id = $1", [
      julien,
    ]);
    try {
      const page = await loadDemarches(ctx.deps, principal, started.dossiers, '/essai');
      expect(page).toMatchObject({ ok: true, scope: 'own', canDeclareSeparation: false });
      if (!page.ok) throw new Error('refused');
      for (const d of page.demarches) expect(d.authorPersonId).toBe(julien);
      const logged = await ctx.pool.query<{ dossier: string | null; categories: string[] }>(
        'SELECT dossier_id AS dossier, categories FROM access_log WHERE session_hash = $1 ORDER BY id',
        [principal.sessionHash],
      );
      expect(logged.rows).toEqual([{ dossier: dossierId, categories: ['demarches-personnelles'] }]);
    } finally {
      await ctx.pool.query("UPDATE dossier_members SET role = 'conjoint' WHERE person_id = $1", [
        julien,
      ]);
    }
  });

  it('a membership gone in between: the fresh refusal, nothing logged', async () => {
    const marie = await personId('foyer-sans-lien');
    const claims = await openSession(ctx.pool, ctx.deps.config.session, {
      personId: marie,
      method: 'password',
      acr: null,
      clientIp: null,
      userAgent: null,
    });
    const started = await startRequest(ctx.deps, claims);
    const principal = required(started.principal, 'Marie signed in');
    expect(started.dossiers).toHaveLength(1);
    const { role, delegation } = required(started.dossiers[0], 'her dossier').membership;
    const dossierId = required(started.dossiers[0], 'her dossier').dossier.id;
    await ctx.pool.query('DELETE FROM dossier_members WHERE person_id = $1', [marie]);
    try {
      const page = await loadDemarches(ctx.deps, principal, started.dossiers, '/essai');
      expect(page).toEqual({ ok: false, reason: 'no-dossier' });
      const logged = await ctx.pool.query('SELECT 1 FROM access_log WHERE session_hash = $1', [
        principal.sessionHash,
      ]);
      expect(logged.rowCount).toBe(0);
    } finally {
      await ctx.pool.query(
        'INSERT INTO dossier_members (dossier_id, person_id, role, delegation) VALUES ($1, $2, $3, $4)',
        [dossierId, marie, role, delegation],
      );
    }
  });
});
