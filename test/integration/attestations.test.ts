import { describe, expect, it } from 'vitest';
import { REFERENCE_ALPHABET } from '#src/domain/attestation-reference.ts';
import { loadAttestationsPage } from '#src/services/attestations.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf } from '../support/browser.ts';
import { pdfText } from '../support/pdf-text.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

const PAGE = '/mon-compte/attestations';
const PAYMENT = '/mon-compte/attestations/paiement';
const QUOTIENT = '/mon-compte/attestations/quotient-familial';
const VERIFY = '/verifier-une-attestation';
const LEA_PASSWORD = 'Lea-Lilas-2026';

async function idOf(key: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
    demo(key).nir,
  ]);
  return required(r.rows[0]?.id, key);
}

async function as(key: string): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  if (key === 'enfant-16') {
    const id = await idOf(key);
    await ctx.pool.query(
      'INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [id, await ctx.deps.hasher.hash(LEA_PASSWORD)],
    );
    await ctx.pool.query(
      `UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1`,
      [id],
    );
    expect((await b.login(required(demo(key).nir, 'NIR'), LEA_PASSWORD)).headers.location).toBe(
      '/mon-compte',
    );
    return b;
  }
  const p = persona(key);
  expect((await b.login(p.nir, p.password)).headers.location).toBe('/mon-compte');
  return b;
}

/** POSTs a form with the page's CSRF token, in process, keeping the raw bytes of the answer. */
async function post(b: TestBrowser, url: string, form: Record<string, string>) {
  const page = await b.get(PAGE);
  return ctx.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: b.cookieHeader(),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ _csrf: csrfTokenOf(page.body), ...form }).toString(),
  });
}

async function attestationsOf(personId: string): Promise<number> {
  const r = await ctx.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM attestations WHERE person_id = $1',
    [personId],
  );
  return r.rows[0]?.n ?? 0;
}

/** The benefit last paid on the dossier, and its payments of the last 12 months, as JJ/MM/AAAA. */
async function paidPeriod(dossier: string) {
  const r = await ctx.pool.query<{
    benefit: string;
    first: string;
    last: string;
    n: number;
    total: number;
  }>(
    `WITH last AS (SELECT p.benefit, p.dossier_id FROM payments p JOIN dossiers d ON d.id = p.dossier_id
                    WHERE d.number = $1 ORDER BY p.paid_on DESC LIMIT 1)
     SELECT last.benefit, to_char(min(paid_on), 'DD/MM/YYYY') AS first,
            to_char(max(paid_on), 'DD/MM/YYYY') AS last, count(*)::int AS n,
            sum(amount_cents)::int AS total
       FROM payments p JOIN last USING (dossier_id, benefit)
      WHERE p.paid_on > (SELECT max(paid_on) FROM payments WHERE dossier_id = last.dossier_id) - 365
      GROUP BY last.benefit`,
    [dossier],
  );
  return required(r.rows[0], 'payments');
}

const referenceIn = (text: string) =>
  required(/Référence : ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)?.[1], 'reference');

describe('Mes attestations: the access matrix (`attestations`), role by role', () => {
  const cases: [string, boolean, boolean?][] = [
    ['allocataire-migre', true],
    ['conjoint-avec-delegation', true],
    ['conjoint-sans-delegation', false],
    ['enfant-16', false],
    ['enfant-16', true, true],
    ['primo-demandeur', false],
  ];
  for (const [key, allowed, delegation] of cases) {
    it(`${key}${delegation ? ' with delegation' : ''}: ${allowed ? 'allowed' : 'the 403 page, nothing of the dossier'}`, async () => {
      const personId = await idOf(key);
      if (delegation) {
        await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
          personId,
        ]);
      }
      try {
        const b = await as(key);
        const page = await b.get(PAGE);
        const before = await attestationsOf(personId);
        const qf = await post(b, QUOTIENT, {});
        if (allowed) {
          expect(page.statusCode).toBe(200);
          expect(page.body).toContain('Attestation de paiement');
          expect(qf.statusCode).toBe(200);
          expect(qf.headers['content-type']).toBe('application/pdf');
          expect(await attestationsOf(personId)).toBe(before + 1);
        } else {
          for (const res of [page, qf]) {
            expect(res.statusCode).toBe(403);
            expect(res.body).toContain('Accès non autorisé');
            expect(res.body).not.toMatch(
              /Allocations familiales|Numéro allocataire|1234567|Attestation de/,
            );
          }
          expect(await attestationsOf(personId)).toBe(before);
        }
      } finally {
        if (delegation) {
          await ctx.pool.query(
            'UPDATE dossier_members SET delegation = false WHERE person_id = $1',
            [personId],
          );
        }
      }
    });
  }
});

describe('attestation de paiement', () => {
  it('is a PDF in the holder’s name, with the numéro allocataire and a reference; recorded once for a double submit', async () => {
    const antoine = await as('conjoint-avec-delegation');
    const antoineId = await idOf('conjoint-avec-delegation');
    const period = await paidPeriod('3456789');
    expect(period.n).toBeGreaterThan(0);
    const form = { prestation: period.benefit, du: period.first, au: period.last };
    const before = await attestationsOf(antoineId);
    const res = await post(antoine, PAYMENT, form);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="attestation-paiement-3456789.pdf"',
    );
    const text = await pdfText(res.rawPayload);
    // The holder is the allocataire, whoever of the household asks.
    expect(text).toContain('Allocataire : Sophie LEROY');
    expect(text).toContain('Numéro allocataire : 3456789');
    expect(text).toContain('Attestation de paiement');
    const total = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' })
      .format(period.total / 100)
      .replace(/[\u202f\u00a0]/g, ' ');
    expect(text).toContain(`Total versé : ${total}`);
    const reference = referenceIn(text);
    for (const c of reference.replace(/-/g, '')) expect(REFERENCE_ALPHABET).toContain(c);

    const again = await post(antoine, PAYMENT, form);
    expect(referenceIn(await pdfText(again.rawPayload))).toBe(reference);
    expect(await attestationsOf(antoineId)).toBe(before + 1);
    const row = await ctx.pool.query<{ kind: string; benefit: string; person_id: string }>(
      'SELECT kind, benefit, person_id FROM attestations WHERE reference = $1',
      [reference.replace(/-/g, '')],
    );
    expect(row.rows).toEqual([{ kind: 'paiement', benefit: period.benefit, person_id: antoineId }]);
  });

  it('explains bad input next to each field, in French, keeping the values', async () => {
    const camille = await as('allocataire-migre');
    const issued = await attestationsOf(await idOf('allocataire-migre'));
    const empty = await post(camille, PAYMENT, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="prestation-error">Choisissez la prestation.');
    expect(empty.body).toContain('id="du-error">Saisissez le premier jour de la période.');
    expect(empty.body).toContain('id="au-error">Saisissez le dernier jour de la période.');
    expect(empty.body).toContain('href="#prestation"');

    const { benefit } = await paidPeriod('1234567');
    const before = await ctx.pool.query<{ from: string; to: string }>(
      `SELECT to_char(min(paid_on) - 40, 'DD/MM/YYYY') AS from, to_char(min(paid_on) - 1, 'DD/MM/YYYY') AS to
         FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE d.number = '1234567'`,
    );
    const unpaid = required(before.rows[0], 'period');
    const cases: [Record<string, string>, string, string][] = [
      [
        { prestation: 'Prestation inconnue', du: '01/01/2026', au: '31/10/2026' },
        'prestation',
        'Choisissez la prestation.',
      ],
      [
        { prestation: benefit, du: '31/02/2026', au: '31/10/2026' },
        'du',
        'Saisissez une date de début valide, au format JJ/MM/AAAA. Exemple\u00a0: 01/01/2026.',
      ],
      [
        { prestation: benefit, du: '01/10/2026', au: '01/09/2026' },
        'au',
        'La date de fin doit être le même jour que la date de début ou après.',
      ],
      [
        { prestation: benefit, du: '01/10/2026', au: '01/10/2099' },
        'au',
        'La date de fin ne peut pas être dans le futur.',
      ],
      [
        { prestation: benefit, du: '01/01/2020', au: '01/10/2026' },
        'du',
        'Une attestation couvre au plus 24 mois\u00a0: choisissez une date de début plus récente.',
      ],
      [
        { prestation: benefit, du: unpaid.from, au: unpaid.to },
        'prestation',
        'Aucun paiement de cette prestation n’a été versé sur cette période.',
      ],
    ];
    for (const [form, field, message] of cases) {
      const res = await post(camille, PAYMENT, form);
      expect({ form, status: res.statusCode }).toEqual({ form, status: 400 });
      expect(res.body).toContain(`id="${field}-error">${message}`);
      expect(res.body).toContain(`href="#${field}"`);
      if (form.du) expect(res.body).toContain(`value="${form.du}"`);
    }
    expect(await attestationsOf(await idOf('allocataire-migre'))).toBe(issued);
  });
});

describe('attestation de quotient familial', () => {
  it('states the household’s quotient familial, in the holder’s name', async () => {
    const camille = await as('allocataire-migre');
    const res = await post(camille, QUOTIENT, {});
    expect(res.statusCode).toBe(200);
    const text = await pdfText(res.rawPayload);
    const qf = await ctx.pool.query<{ qf: number }>(
      `SELECT quotient_familial AS qf FROM dossiers WHERE number = '1234567'`,
    );
    expect(text).toContain('Attestation de quotient familial');
    expect(text).toContain('Allocataire : Camille MARTIN');
    expect(text).toContain(`est de ${String(required(qf.rows[0]?.qf, 'QF'))} euros`);
    expect(text).toContain(VERIFY);
  });
});

describe('Vérifier une attestation (public)', () => {
  async function check(reference: string, remoteAddress = '192.0.2.10') {
    return new TestBrowser(ctx.app, { remoteAddress }).submit(VERIFY, { reference });
  }

  it('says a genuine reference is genuine, when and of which kind, with initials only', async () => {
    const camille = await as('allocataire-migre');
    const res = await post(camille, QUOTIENT, {});
    const reference = referenceIn(await pdfText(res.rawPayload));
    const issued = await ctx.pool.query<{ issued_at: Date }>(
      'SELECT issued_at FROM attestations WHERE reference = $1',
      [reference.replace(/-/g, '')],
    );
    expect(issued.rows).toHaveLength(1);

    for (const typed of [reference, reference.toLowerCase().replace(/-/g, ' ')]) {
      const page = await check(typed);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-verdict="authentique"');
      expect(page.body).toContain('Attestation de quotient familial délivrée par la Caf le');
      expect(page.body).toContain('C. M.');
      expect(page.body).not.toMatch(/Camille|MARTIN|1234567|856/);
    }
  });

  it('answers a forged or malformed reference with one sentence', async () => {
    for (const typed of ['ABCD-EFGH-JKMN', 'pas une référence', '0000-0000-0000']) {
      const page = await check(typed, '192.0.2.11');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(
        'id="reference-error">Aucune attestation ne correspond à cette référence.',
      );
      expect(page.body).not.toContain('data-verdict');
    }
    const empty = await check('', '192.0.2.11');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="reference-error">Saisissez la référence de l’attestation.');
  });

  it('throttles one client address after 30 checks an hour, in French; other addresses go on', async () => {
    const address = '192.0.2.99';
    const answers: number[] = [];
    for (let i = 0; i < 30; i += 1)
      answers.push((await check('ABCD-EFGH-JKMN', address)).statusCode);
    expect(answers.every((status) => status === 200)).toBe(true);
    const refused = await check('ABCD-EFGH-JKMN', address);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toMatch(
      /id="reference-error">Trop de tentatives. Par sécurité, réessayez à partir de \d{1,2} h \d{2}\./,
    );
    expect(refused.body).not.toContain('data-verdict');
    expect((await check('ABCD-EFGH-JKMN', '192.0.2.100')).statusCode).toBe(200);
  });
});

describe('Mes attestations in one statement: the memberships decided on are re-checked', () => {
  it('a delegation withdrawn in between: the refusal, nothing read or logged; then the page, logged once', async () => {
    const conjoint = await idOf('conjoint-avec-delegation');
    const claims = await openSession(ctx.pool, ctx.deps.config.session, {
      personId: conjoint,
      method: 'password',
      acr: null,
      clientIp: null,
      userAgent: null,
    });
    const start = await startRequest(ctx.deps, claims);
    const principal = required(start.principal, 'signed in');
    expect(start.dossiers.map((d) => d.membership.delegation)).toEqual([true]);
    const logged = async () =>
      (
        await ctx.pool.query<{ categories: string[] }>(
          'SELECT categories FROM access_log WHERE session_hash = $1 ORDER BY id',
          [principal.sessionHash],
        )
      ).rows;
    await ctx.pool.query('UPDATE dossier_members SET delegation = false WHERE person_id = $1', [
      conjoint,
    ]);
    try {
      expect(await loadAttestationsPage(ctx.deps, principal, start.dossiers, '/essai')).toEqual({
        ok: false,
        reason: 'forbidden',
      });
      expect(await logged()).toEqual([]);
    } finally {
      await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
        conjoint,
      ]);
    }
    const page = await loadAttestationsPage(ctx.deps, principal, start.dossiers, '/essai');
    expect(page).toMatchObject({ ok: true });
    expect(await logged()).toEqual([{ categories: ['attestations'] }]);
  });
});
