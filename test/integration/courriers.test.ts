import { describe, expect, it } from 'vitest';
import { RANDOM_PASSWORD, seedRandomHouseholds } from '#src/seed/random.ts';
import { loadLetters } from '#src/services/letters.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { pdfText } from '../support/pdf-text.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

const LIST = '/mon-compte/courriers';
const letterUrl = (id: string) => `${LIST}/${id}`;
const LEA_PASSWORD = 'Lea-Lilas-2026';

async function idOf(key: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
    demo(key).nir,
  ]);
  return required(r.rows[0]?.id, key);
}

/** Léa (16, no account in the demo set) gets one, with a verified e-mail, to log in as a child. */
async function giveLeaAnAccount(): Promise<void> {
  const id = await idOf('enfant-16');
  const hash = await ctx.deps.hasher.hash(LEA_PASSWORD);
  await ctx.pool.query(
    `INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [id, hash],
  );
  await ctx.pool.query(
    `UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1`,
    [id],
  );
}

async function as(key: string): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  if (key === 'enfant-16') {
    await giveLeaAnAccount();
    expect((await b.login(required(demo(key).nir, 'NIR'), LEA_PASSWORD)).headers.location).toBe(
      '/mon-compte',
    );
    return b;
  }
  const p = persona(key);
  expect((await b.login(p.nir, p.password)).headers.location).toBe('/mon-compte');
  return b;
}

/** The letters of a list page, by id, in page order. */
function lettersOn(html: string): string[] {
  return [...html.matchAll(/data-courrier="([^"]+)"/g)].map((m) => m[1] ?? '');
}

async function letterIdBySubject(subject: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM letters WHERE subject = $1', [
    subject,
  ]);
  return required(r.rows[0]?.id, subject);
}

async function openPdf(b: TestBrowser, id: string) {
  return ctx.app.inject({
    method: 'GET',
    url: letterUrl(id),
    headers: { cookie: b.cookieHeader() },
  });
}

async function accessRows(personId: string, route: string): Promise<number> {
  const r = await ctx.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM access_log
      WHERE person_id = $1 AND route = $2
        AND categories && ARRAY['courriers', 'courriers-personnels']`,
    [personId, route],
  );
  return r.rows[0]?.n ?? 0;
}

/** docs/design.md §3, "read household letters": every letter, or those addressed to them. */
const LETTER_RULE = {
  allocataire: 'all',
  'conjoint+delegation': 'all',
  conjoint: 'own',
  'membre+delegation': 'all',
  membre: 'own',
} as const;

describe('Mes courriers: which letters each role reads, exactly', () => {
  const cases: [string, keyof typeof LETTER_RULE, boolean?][] = [
    ['allocataire-migre', 'allocataire'],
    ['conjoint-avec-delegation', 'conjoint+delegation'],
    ['conjoint-sans-delegation', 'conjoint'],
    ['enfant-16', 'membre'],
    ['enfant-16', 'membre+delegation', true],
  ];
  for (const [key, column, delegation] of cases) {
    it(`${key} (${column}) sees ${LETTER_RULE[column] === 'all' ? 'every letter of the dossier' : 'only the letters addressed to them'}`, async () => {
      const personId = await idOf(key);
      if (delegation) {
        await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
          personId,
        ]);
      }
      try {
        const b = await as(key);
        const before = await accessRows(personId, LIST);
        const page = await b.get(LIST);
        expect(page.statusCode).toBe(200);
        const expected = await ctx.pool.query<{ id: string }>(
          `SELECT l.id FROM letters l JOIN dossier_members m ON m.dossier_id = l.dossier_id
            WHERE m.person_id = $1 AND ($2::boolean OR l.addressee_person_id = $1)
            ORDER BY l.sent_on DESC`,
          [personId, LETTER_RULE[column] === 'all'],
        );
        const ids = expected.rows.map((r) => r.id);
        expect(ids.length).toBeGreaterThan(0);
        expect(lettersOn(page.body)).toEqual(ids);
        if (LETTER_RULE[column] === 'own') {
          const all = await ctx.pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM letters l JOIN dossier_members m USING (dossier_id)
              WHERE m.person_id = $1`,
            [personId],
          );
          expect(ids.length).toBeLessThan(all.rows[0]?.n ?? 0);
        }
        expect(await accessRows(personId, LIST)).toBe(before + 1);
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

  it('random households (seed --count) get a letter or two, which their allocataire reads', async () => {
    const adults = await seedRandomHouseholds(ctx.pool, {
      count: 4,
      passwordHash: await ctx.deps.hasher.hash(RANDOM_PASSWORD),
    });
    const numbers = [...new Set(adults.map((a) => a.dossierNumber))];
    const counts = await ctx.pool.query<{ n: number }>(
      `SELECT count(l.id)::int AS n FROM dossiers d LEFT JOIN letters l ON l.dossier_id = d.id
        WHERE d.number = ANY ($1::text[]) GROUP BY d.id`,
      [numbers],
    );
    expect(counts.rows).toHaveLength(numbers.length);
    for (const { n } of counts.rows) expect([1, 2]).toContain(n);
    const adult = required(adults[0], 'adult');
    const b = new TestBrowser(ctx.app);
    expect((await b.login(adult.nir, RANDOM_PASSWORD)).headers.location).toBe('/mon-compte');
    const page = await b.get(LIST);
    expect(page.statusCode).toBe(200);
    expect(lettersOn(page.body).length).toBeGreaterThan(0);
  });

  it('a person without a dossier gets the 403 page, with no letter named', async () => {
    const b = await as('primo-demandeur');
    const res = await b.get(LIST);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Accès non autorisé');
    expect(res.body).not.toContain('data-courrier');
  });

  it('the dashboard counts the unread letters and links to them', async () => {
    const b = await as('allocataire-leroy');
    const home = await b.get('/mon-compte');
    const unread = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM letters l JOIN dossier_members m USING (dossier_id)
        WHERE m.person_id = $1
          AND NOT EXISTS (SELECT 1 FROM letter_reads r WHERE r.letter_id = l.id AND r.person_id = $1)`,
      [await idOf('allocataire-leroy')],
    );
    const n = unread.rows[0]?.n ?? 0;
    expect(n).toBeGreaterThan(0);
    expect(home.body).toContain(`data-unread-letters="${String(n)}"`);
    expect(home.body).toContain(`href="${LIST}"`);
  });
});

describe('one letter: its PDF, looked up within what the person may read', () => {
  it('streams the PDF (no-store, inline), naming the addressee; marks it read for that person only', async () => {
    const sophie = await as('allocataire-leroy');
    const antoine = await as('conjoint-avec-delegation');
    const id = await letterIdBySubject('Changement de vos coordonnées bancaires');
    const sophieId = await idOf('allocataire-leroy');
    const before = await accessRows(sophieId, '/mon-compte/courriers/:id');

    const res = await openPdf(sophie, id);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toMatch(
      /^inline; filename="courrier-caf-[\d-]+\.pdf"$/,
    );
    const text = await pdfText(res.rawPayload);
    expect(text).toContain('Sophie LEROY');
    expect(text).toContain('Objet : Changement de vos coordonnées bancaires');
    expect(text).toContain('Numéro allocataire : 3456789');
    expect(await accessRows(sophieId, '/mon-compte/courriers/:id')).toBe(before + 1);

    const row = (html: string) =>
      new RegExp(`data-courrier="${id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
    expect(row((await sophie.get(LIST)).body)).toContain('data-read');
    expect(row((await antoine.get(LIST)).body)).toContain('data-unread');
  });

  it('names the member a letter is addressed to', async () => {
    const julien = await as('conjoint-sans-delegation');
    const res = await openPdf(
      julien,
      await letterIdBySubject('Justificatif de ressources demandé'),
    );
    expect(res.statusCode).toBe(200);
    expect(await pdfText(res.rawPayload)).toContain('Julien MARTIN');
  });

  it('answers the 404 page for a letter of another dossier, one not addressed to them, an unknown or malformed id', async () => {
    const julien = await as('conjoint-sans-delegation');
    const camille = await as('allocataire-migre');
    const household = await letterIdBySubject('Votre aide personnalisée au logement');
    const leroy = await letterIdBySubject('Votre prestation d’accueil du jeune enfant');
    const attempts: [TestBrowser, string][] = [
      [julien, household],
      [camille, leroy],
      [camille, '00000000-0000-4000-8000-000000000000'],
      [camille, 'pas-un-id'],
      [julien, `${household}/verification`],
    ];
    for (const [b, path] of attempts) {
      const res = await b.get(letterUrl(path));
      expect({ path, status: res.statusCode }).toEqual({ path, status: 404 });
      expect(res.body).toContain('Page non trouvée');
      expect(res.body).not.toContain('aide personnalisée au logement');
    }
    const reads = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM letter_reads WHERE letter_id = ANY ($1::uuid[])',
      [[household, leroy]],
    );
    const expectedReads = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM letter_reads r JOIN persons p ON p.id = r.person_id
        WHERE r.letter_id = ANY ($1::uuid[]) AND p.nir <> $2`,
      [[household, leroy], required(demo('conjoint-sans-delegation').nir, 'NIR')],
    );
    expect(reads.rows[0]?.n).toBe(expectedReads.rows[0]?.n);
  });
});

describe('registered electronic letters (LRE)', () => {
  const LRE = 'Notification d’un trop-perçu d’aide au logement';

  async function receipts(letterId: string) {
    const r = await ctx.pool.query<{ person_id: string; method: string; acknowledged_at: Date }>(
      'SELECT person_id, method, acknowledged_at FROM letter_receipts WHERE letter_id = $1',
      [letterId],
    );
    return r.rows;
  }

  /** Password typed again, then the code read from the message the SMTP listener received. */
  async function stepUp(b: TestBrowser, key: string, letterId: string) {
    const p = persona(key);
    const verification = `${letterUrl(letterId)}/verification`;
    const sent = await b.submit(verification, { password: p.password });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe(`${letterUrl(letterId)}/code`);
    const message = await lastMessageTo(ctx.pool, required(p.email, 'email'), 'email');
    expect(message?.body).toContain('ouvrir votre lettre recommandée électronique');
    const done = await b.submit(`${letterUrl(letterId)}/code`, {
      code: codeIn(message?.body ?? ''),
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${LIST}#courrier-${letterId}`);
  }

  it('is listed, refused without strong authentication (redirect to the step), opened after password + code, acknowledged once', async () => {
    const camille = await as('allocataire-migre');
    const id = await letterIdBySubject(LRE);
    const list = await camille.get(LIST);
    expect(lettersOn(list.body)).toContain(id);
    expect(list.body).toContain('Lettre recommandée électronique');

    const refused = await openPdf(camille, id);
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toBe(`${letterUrl(id)}/verification`);
    expect(refused.headers['content-type']).not.toBe('application/pdf');
    expect(await receipts(id)).toEqual([]);
    const step = await camille.get(`${letterUrl(id)}/verification`);
    expect(step.statusCode).toBe(200);
    expect(step.body).toContain('Confirmer votre identité');

    const wrong = await camille.submit(`${letterUrl(id)}/verification`, {
      password: 'Pas-le-bon-1',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('id="password-error">Mot de passe incorrect.');

    await stepUp(camille, 'allocataire-migre', id);
    const opened = await openPdf(camille, id);
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(opened.rawPayload);
    expect(text).toContain('Lettre recommandée électronique');
    expect(text).toContain('Accusé de réception : ouvert le');
    expect(text).toContain('par Camille MARTIN');
    expect(text).toContain('mot de passe et code à usage unique');

    const [receipt, ...more] = await receipts(id);
    expect(more).toEqual([]);
    expect(receipt?.person_id).toBe(await idOf('allocataire-migre'));
    expect(receipt?.method).toBe('mot-de-passe+code');

    // A second opening keeps the first acknowledgment.
    expect((await openPdf(camille, id)).statusCode).toBe(200);
    expect(await receipts(id)).toEqual([receipt]);
    const after = await camille.get(LIST);
    expect(after.body).toMatch(
      /data-receipt>Accusé de réception\u00a0: ouverte le [^<]+ par Camille MARTIN/,
    );
  });

  it('records one acknowledgment under two concurrent openings', async () => {
    const dossier = await ctx.pool.query<{ id: string }>(
      `SELECT id FROM dossiers WHERE number = '3456789'`,
    );
    const inserted = await ctx.pool.query<{ id: string }>(
      `INSERT INTO letters (dossier_id, sent_on, subject, body, registered)
       VALUES ($1, '2026-11-12', 'Décision de la commission de recours amiable', 'Madame, Monsieur,', true)
       RETURNING id`,
      [required(dossier.rows[0]?.id, 'dossier')],
    );
    const id = required(inserted.rows[0]?.id, 'letter');
    const antoine = await as('conjoint-avec-delegation');
    await stepUp(antoine, 'conjoint-avec-delegation', id);
    const [a, b] = await Promise.all([openPdf(antoine, id), openPdf(antoine, id)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const rows = await receipts(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.person_id).toBe(await idOf('conjoint-avec-delegation'));
    // Both copies carry the one acknowledgment recorded.
    const [ta, tb] = [await pdfText(a.rawPayload), await pdfText(b.rawPayload)];
    const ack = (t: string) => /Accusé de réception : ouvert le [^(]+/.exec(t)?.[0];
    expect(ack(ta)).toBeDefined();
    expect(ack(ta)).toBe(ack(tb));
  });
});

describe('the access log tells which cell allowed a letter list (incident reports)', () => {
  it('household letters for the allocataire, personal letters for the conjoint without delegation', async () => {
    const categories = async (key: string) => {
      const r = await ctx.pool.query<{ categories: string[] }>(
        'SELECT categories FROM access_log WHERE person_id = $1 AND route = $2 ORDER BY id DESC LIMIT 1',
        [await idOf(key), LIST],
      );
      return r.rows[0]?.categories;
    };
    expect((await (await as('allocataire-migre')).get(LIST)).statusCode).toBe(200);
    expect(await categories('allocataire-migre')).toEqual(['courriers']);
    expect((await (await as('conjoint-sans-delegation')).get(LIST)).statusCode).toBe(200);
    expect(await categories('conjoint-sans-delegation')).toEqual(['courriers-personnels']);
  });
});

describe('Mes courriers in one statement: the memberships decided on are re-checked', () => {
  /** Signs the person in and reads the request's start, as the session plugin does. */
  async function started(personId: string) {
    const claims = await openSession(ctx.pool, ctx.deps.config.session, {
      personId,
      method: 'password',
      acr: null,
      clientIp: null,
      userAgent: null,
    });
    const start = await startRequest(ctx.deps, claims);
    return { principal: required(start.principal, 'signed in'), dossiers: start.dossiers };
  }

  const logged = async (sessionHash: Buffer) =>
    (
      await ctx.pool.query<{ categories: string[]; route: string }>(
        'SELECT categories, route FROM access_log WHERE session_hash = $1 ORDER BY id',
        [sessionHash],
      )
    ).rows;

  it('a delegation granted in between: the household letters, read afresh and logged once', async () => {
    const julien = await idOf('conjoint-sans-delegation');
    const { principal, dossiers } = await started(julien);
    expect(dossiers.map((d) => d.membership.delegation)).toEqual([false]);
    await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
      julien,
    ]);
    try {
      const page = await loadLetters(ctx.deps, principal, dossiers, '/essai');
      expect(page).toMatchObject({ ok: true, scope: 'household' });
      const all = await ctx.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM letters l JOIN dossier_members m ON m.dossier_id = l.dossier_id
          WHERE m.person_id = $1`,
        [julien],
      );
      expect('letters' in page && page.letters.length).toBe(all.rows[0]?.n);
      expect(await logged(principal.sessionHash)).toEqual([
        { categories: ['courriers'], route: '/essai' },
      ]);
    } finally {
      await ctx.pool.query('UPDATE dossier_members SET delegation = false WHERE person_id = $1', [
        julien,
      ]);
    }
  });

  it('the dossier left in between: the refusal, nothing read or logged', async () => {
    const julien = await idOf('conjoint-sans-delegation');
    const { principal, dossiers } = await started(julien);
    expect(dossiers).toHaveLength(1);
    const removed = await ctx.pool.query<Record<string, unknown>>(
      'DELETE FROM dossier_members WHERE person_id = $1 RETURNING *',
      [julien],
    );
    try {
      const page = await loadLetters(ctx.deps, principal, dossiers, '/essai');
      expect(page).toEqual({ ok: false, reason: 'no-dossier' });
      expect(await logged(principal.sessionHash)).toEqual([]);
    } finally {
      for (const row of removed.rows) {
        const columns = Object.keys(row);
        await ctx.pool.query(
          `INSERT INTO dossier_members (${columns.join(', ')})
           VALUES (${columns.map((_, k) => `$${k + 1}`).join(', ')})`,
          Object.values(row),
        );
      }
    }
  });
});
