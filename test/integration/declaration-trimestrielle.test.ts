import { PDFParse } from 'pdf-parse';
import { beforeAll, describe, expect, it } from 'vitest';
import { ageOn, isAllowed, type MemberRole } from '#src/domain/access.ts';
import {
  declarationPeriod,
  isDeclarationCycle,
  quarterLabel,
  type Quarter,
} from '#src/domain/quarterly-declaration.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, type Reply } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';

/** The services' clock: the real one, moved by the « outside the period » test. */
let offsetMs = 0;
const ctx = useTestApp({}, { now: () => new Date(Date.now() + offsetMs) });

const PATH = '/mon-compte/declaration-trimestrielle';
const RECEIPT = '/mon-compte/declaration-trimestrielle/accuse-de-reception';
const LEA_PASSWORD = 'Lycee-Paris-2010';

async function personId(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir = $1 OR provisional_id = $2',
    [p.nir, p.provisionalId],
  );
  return required(r.rows[0]?.id, key);
}

async function dossierId(number: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM dossiers WHERE number = $1', [
    number,
  ]);
  return required(r.rows[0]?.id, number);
}

async function loginAs(key: string): Promise<TestBrowser> {
  const p = demo(key);
  const b = new TestBrowser(ctx.app);
  const res = p.provisionalId
    ? await b.submit('/identifiant-provisoire', {
        identifiant: p.provisionalId,
        password: required(p.password, 'password'),
      })
    : await b.login(
        required(p.nir, 'nir'),
        key === 'enfant-16' ? LEA_PASSWORD : required(p.password, 'password'),
      );
  expect(res.headers.location).toBe('/mon-compte');
  return b;
}

/** The declaration form's fields as the page shows them (hidden ones and amounts). */
function formOf(html: string): Record<string, string> {
  const form: Record<string, string> = { _csrf: csrfTokenOf(html) };
  for (const m of html.matchAll(
    /<input[^>]*name="(trimestre|version|montant-[^"]+)"[^>]*value="([^"]*)"/g,
  )) {
    form[required(m[1], 'name')] = required(m[2], 'value');
  }
  return form;
}

function amountName(person: string, month: string, kind: string): string {
  return `montant-${person}-${month.slice(0, 7)}-${kind}`;
}

async function openQuarter(dossier: string): Promise<Quarter> {
  const r = await ctx.pool.query<{ cycle: number | null }>(
    'SELECT quarterly_declaration_cycle AS cycle FROM dossiers WHERE number = $1',
    [dossier],
  );
  const cycle = r.rows[0]?.cycle;
  if (!isDeclarationCycle(cycle)) throw new Error(`${dossier} declares no quarter`);
  const period = declarationPeriod(cycle, new Date(Date.now() + offsetMs));
  if (!period.open) throw new Error('closed');
  return period.quarter;
}

async function declarations(dossier: string) {
  const r = await ctx.pool.query<{
    submitted: boolean;
    reference: string | null;
    version: number;
    demarche_status: string;
  }>(
    `SELECT q.submitted_at IS NOT NULL AS submitted, q.reference, q.version,
            d.status AS demarche_status
       FROM quarterly_declarations q JOIN demarches d ON d.id = q.demarche_id
       JOIN dossiers x ON x.id = q.dossier_id
      WHERE x.number = $1 AND q.quarter_start = $2`,
    [dossier, (await openQuarter(dossier)).start],
  );
  return r.rows;
}

/** Removes the open quarter's declaration of a household: each role starts from nothing. */
async function resetDeclaration(dossier: string) {
  const q = await openQuarter(dossier);
  const id = await dossierId(dossier);
  await ctx.pool.query(
    `WITH gone AS (DELETE FROM quarterly_declarations WHERE dossier_id = $1 AND quarter_start = $2
                   RETURNING demarche_id)
     DELETE FROM demarches WHERE id IN (SELECT demarche_id FROM gone)`,
    [id, q.start],
  );
}

async function post(
  b: TestBrowser,
  action: 'brouillon' | 'envoyer',
  change: Record<string, string> = {},
) {
  const page = await b.get(PATH);
  const form: Record<string, string> = { ...formOf(page.body), ...change, action };
  if (action === 'envoyer') form.certification = 'on';
  return b.post(PATH, form);
}

beforeAll(async () => {
  // The Martin household gets a prime d'activité here, so that its conjoint without delegation
  // and its 16-year-old (given an account) meet an open declaration.
  const amadouCycle = await ctx.pool.query<{ cycle: number }>(
    "SELECT quarterly_declaration_cycle AS cycle FROM dossiers WHERE number = '4567890'",
  );
  await ctx.pool.query(
    "UPDATE dossiers SET quarterly_declaration_cycle = $1 WHERE number = '1234567'",
    [amadouCycle.rows[0]?.cycle],
  );
  const lea = await personId('enfant-16');
  await ctx.pool.query(
    "UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1",
    [lea],
  );
  await ctx.pool.query('INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2)', [
    lea,
    await ctx.deps.hasher.hash(LEA_PASSWORD),
  ]);
});

/** Every persona with a login, its household, and its column of the matrix. */
const roles: [key: string, dossier: string | null][] = [
  ['identifiant-provisoire', '4567890'],
  ['allocataire-leroy', '3456789'],
  ['conjoint-avec-delegation', '3456789'],
  ['allocataire-migre', '1234567'],
  ['conjoint-sans-delegation', '1234567'],
  ['enfant-16', '1234567'],
  ['foyer-sans-lien', '5678901'],
  ['primo-demandeur', null],
];

describe('the declaration for every persona role (docs/design.md §3)', () => {
  for (const [key, dossier] of roles) {
    it(`${key}: the page, the draft and the sending, as the matrix says`, async () => {
      const p = demo(key);
      const role =
        p.role === 'primo-demandeur' || p.role === 'agent' ? null : (p.role satisfies MemberRole);
      const membership = role
        ? { role, delegation: p.delegation ?? false, age: ageOn(p.birthdate, new Date()) }
        : null;
      const mayPrepare = membership !== null && isAllowed(membership, 'own-name-requests');
      const maySend = membership !== null && isAllowed(membership, 'household-requests');
      const subject = dossier !== null && dossier !== '5678901';
      if (subject) await resetDeclaration(dossier);
      const b = await loginAs(key);
      const page = await b.get(PATH);
      expect(page.statusCode).toBe(mayPrepare ? 200 : 403);
      if (!mayPrepare) {
        expect(page.body).toContain('Accès non autorisé');
        expect(page.body).not.toContain('Numéro allocataire');
        const csrf = csrfTokenOf((await b.get('/mon-compte')).body);
        for (const action of ['brouillon', 'envoyer']) {
          const forced = await b.post(PATH, {
            _csrf: csrf,
            trimestre: '2026-08-01',
            version: '0',
            action,
            certification: 'on',
          });
          expect(forced.statusCode).toBe(403);
        }
        expect((await b.get(`${RECEIPT}?trimestre=2026-08-01`)).statusCode).toBe(403);
        if (dossier) expect(await declarations(dossier)).toEqual([]);
        return;
      }
      if (!subject) {
        expect(page.body).toContain('Vous n’avez pas de déclaration trimestrielle à faire');
        expect(page.body).not.toContain('name="action"');
        return;
      }
      expect(page.body).toContain('Enregistrer et terminer plus tard');
      expect(page.body.includes('Envoyer ma déclaration')).toBe(maySend);
      expect(page.body.includes('data-cannot-submit')).toBe(!maySend);
      const draft = await post(b, 'brouillon');
      expect(draft.statusCode).toBe(303);
      expect(await declarations(dossier)).toMatchObject([
        { submitted: false, demarche_status: 'brouillon' },
      ]);
      expect(draft.headers.location).toBe(`${PATH}?enregistre=1`);
      const resumed = await b.get(`${PATH}?enregistre=1`);
      expect(resumed.body).toContain('Votre brouillon est enregistré');
      const sent = await post(b, 'envoyer');
      expect(sent.statusCode).toBe(maySend ? 303 : 403);
      expect(await declarations(dossier)).toMatchObject([
        { submitted: maySend, demarche_status: maySend ? 'envoyee' : 'brouillon' },
      ]);
    });
  }
});

describe('Amadou DIALLO’s declaration (RSA)', () => {
  it('offers the partners’ figures as such, records corrections, and resumes on another device', async () => {
    await resetDeclaration('4567890');
    const amadou = await personId('identifiant-provisoire');
    const q = await openQuarter('4567890');
    const b = await loginAs('identifiant-provisoire');
    const page = await b.get(PATH);
    expect(page.body).toContain(`Vos ressources de ${quarterLabel(q)}.`);
    const chomage0 = amountName(amadou, q.months[0], 'chomage');
    const chomage1 = amountName(amadou, q.months[1], 'chomage');
    const salaires2 = amountName(amadou, q.months[2], 'salaires');
    const autres1 = amountName(amadou, q.months[1], 'autres');
    expect(formOf(page.body)[chomage0]).toBe('612,30');
    expect(page.body).toMatch(
      /Données transmises par nos partenaires \(France Travail\)\s:\s612,30\s€/,
    );
    expect(page.body.match(/data-origin="partenaire"/g)?.length).toBe(4);

    // He confirms the first month, corrects the second, types another resource.
    const draft = await post(b, 'brouillon', { [chomage1]: '600', [autres1]: '1 234,5' });
    expect(draft.statusCode).toBe(303);

    const elsewhere = await loginAs('identifiant-provisoire');
    const again = await elsewhere.get(PATH);
    const form = formOf(again.body);
    expect(form[chomage0]).toBe('612,30');
    expect(form[chomage1]).toBe('600,00');
    expect(form[autres1]).toBe('1 234,50');
    expect(form[salaires2]).toBe('450,00');
    expect(again.body).toMatch(/data-draft>Brouillon enregistré le [^<]+ par Amadou DIALLO/);
    expect(again.body.match(/data-origin="corrige"/g)?.length).toBe(1);
    expect(again.body).toMatch(/612,30\s€ — corrigé par vous/);
    const lines = await ctx.pool.query<{
      kind: string;
      amount_cents: number;
      partner_amount_cents: number | null;
    }>(
      `SELECT l.kind, l.amount_cents, l.partner_amount_cents FROM quarterly_declaration_lines l
         JOIN quarterly_declarations q ON q.id = l.declaration_id
        WHERE l.person_id = $1 AND l.month = $2 AND q.quarter_start = $3 ORDER BY l.kind`,
      [amadou, q.months[1], q.start],
    );
    expect(lines.rows).toEqual([
      { kind: 'autres', amount_cents: 123450, partner_amount_cents: null },
      { kind: 'chomage', amount_cents: 60000, partner_amount_cents: 61230 },
    ]);
  });

  it('refuses bad amounts beside the field and in the summary, keeping what was typed', async () => {
    const amadou = await personId('identifiant-provisoire');
    const q = await openQuarter('4567890');
    const b = await loginAs('identifiant-provisoire');
    const field = amountName(amadou, q.months[2], 'pensions');
    const res = await post(b, 'brouillon', { [field]: '12,345' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(`href="#${field}"`);
    expect(res.body).toContain(
      `id="${field}-error">Saisissez au plus deux chiffres après la virgule, par exemple 1 234,56.`,
    );
    expect(res.body).toMatch(
      new RegExp(`id="${field}"[^>]*value="12,345"[^>]*aria-invalid="true"`),
    );
    expect(res.body).toContain('Amadou DIALLO, ');
    const page = await b.get(PATH);
    const unchecked = await b.post(PATH, { ...formOf(page.body), action: 'envoyer' });
    expect(unchecked.statusCode).toBe(400);
    expect(unchecked.body).toContain('id="certification-error">Cochez la case');
    expect(await declarations('4567890')).toMatchObject([{ submitted: false }]);
  });

  it('a second tab’s stale draft is refused, not saved over the newer one', async () => {
    const amadou = await personId('identifiant-provisoire');
    const q = await openQuarter('4567890');
    const field = amountName(amadou, q.months[0], 'pensions');
    const first = await loginAs('identifiant-provisoire');
    const second = await loginAs('identifiant-provisoire');
    const tab1 = formOf((await first.get(PATH)).body);
    const tab2 = formOf((await second.get(PATH)).body);
    const saved = await first.post(PATH, { ...tab1, [field]: '10', action: 'brouillon' });
    expect(saved.statusCode).toBe(303);
    const stale = await second.post(PATH, { ...tab2, [field]: '99', action: 'brouillon' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('Déclaration modifiée entre-temps');
    expect(formOf(stale.body)[field]).toBe('10,00');
    expect(formOf((await first.get(PATH)).body)[field]).toBe('10,00');
  });

  it('records one declaration for two clicks at once and a replay, then its acknowledgment PDF', async () => {
    const b = await loginAs('identifiant-provisoire');
    const page = await b.get(PATH);
    const form = { ...formOf(page.body), action: 'envoyer', certification: 'on' };
    const [one, two] = await Promise.all([b.post(PATH, form), b.post(PATH, form)]);
    expect([one.statusCode, two.statusCode]).toEqual([303, 303]);
    const after = await declarations('4567890');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ submitted: true, demarche_status: 'envoyee' });
    const reference = required(after[0]?.reference, 'reference');
    const replay: Reply = await b.post(PATH, form);
    expect(replay.statusCode).toBe(303);
    // A second tab's stale draft is not saved over the declaration sent.
    const staleDraft = await b.post(PATH, { ...form, action: 'brouillon' });
    expect(staleDraft.statusCode).toBe(409);
    expect(await declarations('4567890')).toEqual(after);
    const demarches = await ctx.pool.query(
      `SELECT 1 FROM demarches d JOIN dossiers x ON x.id = d.dossier_id
        WHERE x.number = '4567890' AND d.details->>'quarter' = $1`,
      [(await openQuarter('4567890')).start],
    );
    expect(demarches.rowCount).toBe(1);

    const done = await b.get(PATH);
    expect(done.body).toContain('Votre déclaration est envoyée');
    expect(done.body).toContain(reference);
    const q = await openQuarter('4567890');
    const pdf = await b.get(`${RECEIPT}?trimestre=${q.start}`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['cache-control']).toBe('no-store');
    const raw = await ctx.app.inject({
      url: `${RECEIPT}?trimestre=${q.start}`,
      headers: { cookie: b.cookieHeader() },
    });
    const text = (await new PDFParse({ data: raw.rawPayload }).getText()).text;
    expect(text).toContain('Amadou DIALLO');
    expect(text).toContain('Numéro allocataire : 4567890');
    expect(text).toContain(quarterLabel(q));
    expect(text).toContain(reference);
    expect(text).toContain('600,00');
    // Another household's quarter is nobody's here: not found, not someone else's PDF.
    const marie = await loginAs('foyer-sans-lien');
    expect((await marie.get(`${RECEIPT}?trimestre=${q.start}`)).statusCode).toBe(404);
  });

  it('outside its period: says when the next one opens and records nothing', async () => {
    await resetDeclaration('3456789');
    const b = await loginAs('allocataire-leroy');
    const open = await b.get(PATH);
    const form = { ...formOf(open.body), action: 'brouillon' };
    offsetMs = 31 * 86_400_000;
    try {
      const closed = await b.get(PATH);
      expect(closed.statusCode).toBe(200);
      expect(closed.body).toContain('Aucune déclaration à faire en ce moment');
      expect(closed.body).toMatch(/ouvrira le 1er [a-zéû]+ \d{4}/);
      expect(closed.body).not.toContain('name="action"');
      const late = await b.post(PATH, form);
      expect(late.statusCode).toBe(409);
      expect(late.body).toContain('La période de déclaration de ce trimestre est close');
    } finally {
      offsetMs = 0;
    }
    expect(await declarations('3456789')).toEqual([]);
  });
});
