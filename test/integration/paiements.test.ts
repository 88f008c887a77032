import { describe, expect, it } from 'vitest';
import { ageOn, isAllowed } from '#src/domain/access.ts';
import { monthsEndingWith, PAYMENT_MONTHS } from '#src/domain/payments.ts';
import { RANDOM_PASSWORD, seedRandomHouseholds } from '#src/seed/random.ts';
import { loadPayment, loadPayments } from '#src/services/payments.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';

const ctx = useTestApp();
const LIST = '/mon-compte/paiements';
const LEA_PASSWORD = 'Lycee-Paris-2010';
const LEA_EMAIL = 'lea.martin.paiements@example.fr';

async function idOf(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir = $1 OR provisional_id = $2',
    [p.nir, p.provisionalId],
  );
  return required(r.rows[0]?.id, key);
}

/** Léa (16) with an account of her own, as after her activation (foyer.test.ts walks that). */
async function giveLeaAnAccount(): Promise<void> {
  const id = await idOf('enfant-16');
  const hash = await ctx.deps.hasher.hash(LEA_PASSWORD);
  await ctx.pool.query(
    'INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [id, hash],
  );
  await ctx.pool.query('UPDATE persons SET email = $2, email_verified_at = now() WHERE id = $1', [
    id,
    LEA_EMAIL,
  ]);
}

async function setDelegation(key: string, delegation: boolean): Promise<void> {
  await ctx.pool.query('UPDATE dossier_members SET delegation = $2 WHERE person_id = $1', [
    await idOf(key),
    delegation,
  ]);
}

async function as(key: string): Promise<TestBrowser> {
  const p = demo(key);
  const b = new TestBrowser(ctx.app);
  const password = key === 'enfant-16' ? LEA_PASSWORD : required(p.password, 'password');
  const res = p.provisionalId
    ? await b.submit('/identifiant-provisoire', { identifiant: p.provisionalId, password })
    : await b.login(required(p.nir, 'nir'), password);
  expect(res.headers.location).toBe('/mon-compte');
  return b;
}

/** A payment id of the persona's own dossier, read from the database (the newest one). */
async function paymentOf(dossier: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>(
    `SELECT p.id::text AS id FROM payments p JOIN dossiers d ON d.id = p.dossier_id
      WHERE d.number = $1 ORDER BY p.paid_on DESC, p.id DESC LIMIT 1`,
    [dossier],
  );
  return required(r.rows[0]?.id, `a payment of ${dossier}`);
}

async function accessRows(personId: string, dossier: string | null = null) {
  const r = await ctx.pool.query<{ route: string; categories: string[]; number: string | null }>(
    `SELECT l.route, l.categories, d.number FROM access_log l
       LEFT JOIN dossiers d ON d.id = l.dossier_id
      WHERE l.person_id = $1 AND ($2::text IS NULL OR d.number = $2) ORDER BY l.id`,
    [personId, dossier],
  );
  return r.rows;
}

/** Every persona role of docs/design.md §3, the expected answer taken from the matrix itself. */
const roles: { key: string; name: string; delegation?: boolean }[] = [
  { key: 'allocataire-migre', name: 'allocataire' },
  { key: 'identifiant-provisoire', name: 'allocataire à identifiant provisoire' },
  { key: 'conjoint-avec-delegation', name: 'conjoint avec délégation' },
  { key: 'conjoint-sans-delegation', name: 'conjoint sans délégation' },
  { key: 'enfant-16', name: 'enfant de 16 ans avec délégation', delegation: true },
  { key: 'enfant-16', name: 'enfant de 16 ans sans délégation', delegation: false },
  { key: 'primo-demandeur', name: 'personne sans dossier' },
];

function expectedStatus(key: string, delegation: boolean | undefined): 200 | 403 {
  const p = demo(key);
  if (!p.dossier || p.role === 'primo-demandeur' || p.role === 'agent') return 403;
  const membership = {
    role: p.role,
    delegation: delegation ?? p.delegation ?? false,
    age: ageOn(p.birthdate, new Date()),
  };
  return isAllowed(membership, 'payments') ? 200 : 403;
}

describe('Mes paiements over HTTP, role by role (matrix action `payments`)', () => {
  for (const { key, name, delegation } of roles) {
    const status = expectedStatus(key, delegation);
    it(`${name} (${key}): list and detail ${String(status)}, menu link only when open`, async () => {
      if (key === 'enfant-16') {
        await giveLeaAnAccount();
        await setDelegation(key, delegation ?? false);
      }
      const b = await as(key);
      const home = await b.get('/mon-compte');
      expect(home.body.includes(`href="${LIST}" target="_self">Mes paiements</a>`)).toBe(
        status === 200,
      );
      const list = await b.get(LIST);
      expect(list.statusCode).toBe(status);
      const dossier = demo(key).dossier;
      const detail = await b.get(`${LIST}/${dossier ? await paymentOf(dossier) : '1'}`);
      expect(detail.statusCode).toBe(status);
      if (status === 403) {
        for (const page of [list, detail]) {
          expect(page.body).toContain('Accès non autorisé');
          // A refusal tells nothing: no amount, no benefit, no month.
          expect(page.body).not.toMatch(/€|Allocation|Aide personnalisée|data-mois|data-chart/);
        }
      } else {
        expect(list.body).toContain('<h1>Mes paiements</h1>');
        expect(list.body).toMatch(/<svg [^>]*role="img"/);
        expect(detail.body).toContain('Montant brut');
      }
      if (key === 'enfant-16') await setDelegation(key, false);
    });
  }
});

describe('the list: 24 months, a chart, a table, one access-log row', () => {
  it('shows 24 months of the household’s payments, newest first, each linked to its detail', async () => {
    const b = await as('allocataire-migre');
    const page = await b.get(LIST);
    expect(page.statusCode).toBe(200);
    const months = [...page.body.matchAll(/data-mois="(\d{4}-\d{2})"/g)].map((m) => m[1]);
    expect(months).toEqual(monthsEndingWith(new Date(), PAYMENT_MONTHS).reverse());
    expect(page.body).toContain('Allocations familiales');
    expect(page.body).toContain('Aide personnalisée au logement');
    const links = [...page.body.matchAll(/href="\/mon-compte\/paiements\/(\d+)"/g)];
    const r = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payments p JOIN dossiers d ON d.id = p.dossier_id
        WHERE d.number = '1234567' AND p.paid_on >= $1`,
      [`${monthsEndingWith(new Date(), PAYMENT_MONTHS)[0] ?? ''}-01`],
    );
    expect(links.length).toBe(r.rows[0]?.n);
    expect(links.length).toBeGreaterThan(40);
    // The chart above the table, the table its text alternative (said on the page).
    expect(page.body.indexOf('data-chart')).toBeLessThan(page.body.indexOf('data-mois='));
    expect(page.body).toContain('<title id="graphique-titre">');
    expect(page.body).toContain('tableau qui suit');
    expect(page.body).not.toMatch(/<script(?![^>]*dsfr\.module)/);
  });

  it('writes one access-log row per display, category paiements, for the dossier shown', async () => {
    const camille = await idOf('allocataire-migre');
    const before = (await accessRows(camille)).filter((r) => r.route === LIST).length;
    const b = await as('allocataire-migre');
    await b.get(LIST);
    const rows = (await accessRows(camille)).filter((r) => r.route === LIST);
    expect(rows).toHaveLength(before + 1);
    expect(rows[rows.length - 1]).toEqual({
      route: LIST,
      categories: ['paiements'],
      number: '1234567',
    });
  });

  it('filters one year with ?annee=, and says in French when the year is not offered', async () => {
    const b = await as('allocataire-migre');
    const year = new Date().getUTCFullYear() - 1;
    const page = await b.get(`${LIST}?annee=${String(year)}`);
    expect(page.statusCode).toBe(200);
    const months = [...page.body.matchAll(/data-mois="(\d{4})-\d{2}"/g)].map((m) => m[1]);
    expect(months.length).toBeGreaterThan(0);
    expect(new Set(months)).toEqual(new Set([String(year)]));
    expect(page.body).toMatch(new RegExp(`<option value="${String(year)}" selected>`));

    for (const bad of ['1999', 'deux-mille', '2026-01', '<b>']) {
      const res = await b.get(`${LIST}?annee=${encodeURIComponent(bad)}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('id="error-summary"');
      expect(res.body).toContain('href="#annee"');
      expect(res.body).toMatch(/id="annee-error">Choisissez une année entre \d{4} et \d{4}/);
      expect(res.body).not.toContain('<b>');
      // The 24 months still shown beneath the message.
      expect([...res.body.matchAll(/data-mois="/g)]).toHaveLength(PAYMENT_MONTHS);
    }
    const all = await b.get(`${LIST}?annee=`);
    expect(all.statusCode).toBe(200);
    expect([...all.body.matchAll(/data-mois="/g)]).toHaveLength(PAYMENT_MONTHS);
  });
});

describe('a payment’s detail, looked up within the principal’s dossier', () => {
  it('shows period, gross, the deduction with its label, net, date and masked account', async () => {
    const r = await ctx.pool.query<{ id: string; gross: number; net: number; cut: number }>(
      `SELECT p.id::text AS id, p.gross_cents AS gross, p.amount_cents AS net, x.amount_cents AS cut
         FROM payments p JOIN dossiers d ON d.id = p.dossier_id
         JOIN payment_deductions x ON x.payment_id = p.id
        WHERE d.number = '1234567' AND x.label = 'Retenue sur trop-perçu'`,
    );
    const row = required(r.rows[0], 'the MARTIN deduction');
    expect(row.gross - row.cut).toBe(row.net);
    const b = await as('allocataire-migre');
    const list = await b.get(LIST);
    expect(list.body).toMatch(new RegExp(`href="${LIST}/${row.id}">[^<]+</a> <span[^>]*>Retenue`));
    const page = await b.get(`${LIST}/${row.id}`);
    expect(page.statusCode).toBe(200);
    const euros = (cents: number) =>
      new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
    expect(page.body).toContain(`data-gross>${euros(row.gross)}`);
    expect(page.body).toContain(`data-net><strong>${euros(row.net)}`);
    expect(page.body).toContain(`Retenue sur trop-perçu\u00a0: − ${euros(row.cut)}`);
    expect(page.body).toMatch(/data-period>[a-zéû]+ \d{4}</);
    expect(page.body).toContain('data-iban>FR76 •••• •••• •••• •••• •••• 189<');
    expect(page.body).not.toContain('FR7630006000011234567890189');
  });

  it('answers 404 for another dossier’s payment, an unknown id or junk, and logs nothing for them', async () => {
    const camille = await idOf('allocataire-migre');
    const b = await as('allocataire-migre');
    const foreign = await paymentOf('3456789');
    const before = await accessRows(camille);
    for (const id of [foreign, '999999999999', 'abc', '0', '1e3']) {
      const res = await b.get(`${LIST}/${id}`);
      expect({ id, status: res.statusCode }).toEqual({ id, status: 404 });
      expect(res.body).toContain('Page non trouvée');
      expect(res.body).not.toMatch(/€|Prime d’activité|PAJE/);
    }
    const after = await accessRows(camille);
    expect(after.filter((r) => r.number === '3456789')).toEqual([]);
    expect(after.filter((r) => r.route === `${LIST}/:id`)).toEqual(
      before.filter((r) => r.route === `${LIST}/:id`),
    );
    // Her own payment: 200 and its row, categories paiements and the masked account.
    await b.get(`${LIST}/${await paymentOf('1234567')}`);
    const mine = (await accessRows(camille, '1234567')).filter((r) => r.route === `${LIST}/:id`);
    expect(mine[mine.length - 1]?.categories).toEqual(['paiements', 'coordonnees-bancaires']);
  });
});

/** The start of a signed-in request (the session's statement), as the session plugin runs it. */
async function started(key: string) {
  const claims = await openSession(ctx.pool, ctx.deps.config.session, {
    personId: await idOf(key),
    method: 'password',
    acr: null,
    clientIp: null,
    userAgent: null,
  });
  const context = await startRequest(ctx.deps, claims);
  return { principal: required(context.principal, `${key} signed in`), dossiers: context.dossiers };
}

async function loggedBy(sessionHash: Buffer) {
  const r = await ctx.pool.query<{ number: string | null; categories: string[]; route: string }>(
    `SELECT d.number, l.categories, l.route FROM access_log l
       LEFT JOIN dossiers d ON d.id = l.dossier_id WHERE l.session_hash = $1 ORDER BY l.id`,
    [sessionHash],
  );
  return r.rows;
}

describe('each display in one statement, which re-checks the memberships it decided on', () => {
  it('a delegation withdrawn after the session was read: the list and the detail refuse, nothing is read or logged', async () => {
    const antoine = await started('conjoint-avec-delegation');
    expect(antoine.dossiers.map((d) => d.membership.delegation)).toEqual([true]);
    const payment = await paymentOf(required(demo('conjoint-avec-delegation').dossier, 'dossier'));
    await setDelegation('conjoint-avec-delegation', false);
    try {
      const list = await loadPayments(ctx.deps, antoine.principal, antoine.dossiers, {
        route: '/essai',
        year: null,
      });
      expect(list).toEqual({ ok: false, reason: 'forbidden' });
      const detail = await loadPayment(ctx.deps, antoine.principal, antoine.dossiers, {
        route: '/essai/:id',
        id: payment,
      });
      expect(detail).toEqual({ ok: false, reason: 'forbidden' });
      expect(await loggedBy(antoine.principal.sessionHash)).toEqual([]);
    } finally {
      await setDelegation('conjoint-avec-delegation', true);
    }
  });

  it('a membership added after the session was read: the pages decide again on it and log once', async () => {
    const camille = await started('allocataire-migre');
    expect(camille.dossiers).toHaveLength(1);
    const other = await ctx.pool.query<{ id: string }>(
      "SELECT id FROM dossiers WHERE number = '3456789'",
    );
    const dossier = required(other.rows[0]?.id, 'dossier 3456789');
    const person = await idOf('allocataire-migre');
    await ctx.pool.query(
      "INSERT INTO dossier_members (dossier_id, person_id, role) VALUES ($1, $2, 'autre')",
      [dossier, person],
    );
    try {
      const list = await loadPayments(ctx.deps, camille.principal, camille.dossiers, {
        route: '/essai',
        year: null,
      });
      expect(list.ok && list.view.dossierNumber).toBe('1234567');
      const id = await paymentOf('1234567');
      const detail = await loadPayment(ctx.deps, camille.principal, camille.dossiers, {
        route: '/essai/:id',
        id,
      });
      expect(detail.ok && detail.view.payment.id).toBe(id);
      // Asked again on the fresh memberships: one row a display, none for the stale attempt.
      expect(await loggedBy(camille.principal.sessionHash)).toEqual([
        { number: '1234567', categories: ['paiements'], route: '/essai' },
        {
          number: '1234567',
          categories: ['paiements', 'coordonnees-bancaires'],
          route: '/essai/:id',
        },
      ]);
    } finally {
      await ctx.pool.query('DELETE FROM dossier_members WHERE dossier_id = $1 AND person_id = $2', [
        dossier,
        person,
      ]);
    }
  });
});

describe('the hub (/mon-compte): the latest payments and the démarches in progress, as links', () => {
  it('links each payment of the latest payment day to its detail, and the démarches in progress', async () => {
    const b = await as('allocataire-migre');
    const latest = await ctx.pool.query<{ id: string }>(
      `SELECT p.id::text AS id FROM payments p JOIN dossiers d ON d.id = p.dossier_id
        WHERE d.number = '1234567'
          AND p.paid_on = (SELECT max(paid_on) FROM payments WHERE dossier_id = d.id)`,
    );
    expect(latest.rows.length).toBe(2);
    const page = await b.get('/mon-compte');
    expect(page.body).toContain('Numéro allocataire 1234567');
    const hub = /data-hub="paiement"[\s\S]*?data-hub="demarches"/.exec(page.body)?.[0] ?? '';
    for (const { id } of latest.rows) expect(hub).toContain(`href="${LIST}/${id}"`);
    expect(page.body).toContain('Aucune démarche en cours.');

    const julien = await as('conjoint-sans-delegation');
    await julien.submit('/mon-compte/separation', {
      date: '01/10/2026',
      confirmation: 'on',
      cle: '7d1f1f4e-4a3b-4b8e-9a55-2f5cf1c0c001',
    });
    const after = await b.get('/mon-compte');
    expect(after.body).toMatch(
      /data-demarche-en-cours="separation"><a href="\/mon-compte\/demarches">Déclaration de séparation<\/a>/,
    );
    expect(after.body).toContain('En cours de traitement');
    // Julien sees his own démarche, never the household's payments.
    const his = await julien.get('/mon-compte');
    expect(his.body).toContain('data-demarche-en-cours="separation"');
    expect(his.body).not.toContain('data-hub="paiement"');
  });
});

describe('demo and random payments', () => {
  it('gives every demo dossier 24 months, gross − deductions = net everywhere', async () => {
    const r = await ctx.pool.query<{ number: string; months: number }>(
      `SELECT d.number, count(DISTINCT date_trunc('month', p.paid_on))::int AS months
         FROM dossiers d JOIN payments p ON p.dossier_id = d.id
        WHERE d.number < '8000000' GROUP BY d.number ORDER BY d.number`,
    );
    const expected = new Date().getUTCDate() >= 5 ? PAYMENT_MONTHS : PAYMENT_MONTHS - 1;
    expect(r.rows.map((x) => x.number)).toEqual([
      '1234567',
      '2345678',
      '3456789',
      '4567890',
      '5678901',
    ]);
    for (const row of r.rows) expect(row.months).toBeGreaterThanOrEqual(expected);
    const wrong = await ctx.pool.query(
      `SELECT p.id FROM payments p LEFT JOIN payment_deductions x ON x.payment_id = p.id
        GROUP BY p.id HAVING p.gross_cents - coalesce(sum(x.amount_cents), 0) <> p.amount_cents`,
    );
    expect(wrong.rowCount).toBe(0);
    const benefits = await ctx.pool.query<{ benefit: string }>(
      'SELECT DISTINCT benefit FROM payments ORDER BY benefit',
    );
    expect(benefits.rows.map((x) => x.benefit)).toEqual(
      expect.arrayContaining([
        'Allocations familiales',
        'Aide personnalisée au logement',
        'Revenu de solidarité active',
        'Allocation de base PAJE',
        'Allocation aux adultes handicapés',
      ]),
    );
  });

  it('gives random households 24 months of payments too', async () => {
    const hash = await ctx.deps.hasher.hash(RANDOM_PASSWORD);
    const adults = await seedRandomHouseholds(ctx.pool, { count: 4, passwordHash: hash });
    const numbers = [...new Set(adults.map((a) => a.dossierNumber))];
    const r = await ctx.pool.query<{ number: string; months: number; lines: number }>(
      `SELECT d.number, count(DISTINCT date_trunc('month', p.paid_on))::int AS months,
              count(*)::int AS lines
         FROM dossiers d JOIN payments p ON p.dossier_id = d.id
        WHERE d.number = ANY($1) GROUP BY d.number`,
      [numbers],
    );
    expect(r.rows).toHaveLength(numbers.length);
    const expected = new Date().getUTCDate() >= 5 ? PAYMENT_MONTHS : PAYMENT_MONTHS - 1;
    for (const row of r.rows) expect(row.months).toBe(expected);
  });
});
