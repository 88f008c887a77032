import { describe, expect, it } from 'vitest';
import { postgresDocumentStore } from '#src/db/document-store.ts';
import { loadDocuments, MAX_DOCUMENT_BYTES } from '#src/services/documents.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, type Reply } from '../support/browser.ts';
import { demo, persona, required } from '../support/personas.ts';
import {
  multipartBody,
  sampleJpeg,
  samplePdf,
  samplePng,
  type UploadFile,
} from '../support/upload.ts';

const ctx = useTestApp();
const PATH = '/mon-compte/documents';

async function idOf(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir = $1 OR provisional_id = $2',
    [p.nir, p.provisionalId],
  );
  return required(r.rows[0]?.id, key);
}

/** Léa (16) has no account in the demo set: one is made here, with or without delegation. */
async function giveLeaAnAccount(delegation: boolean): Promise<void> {
  const id = await idOf('enfant-16');
  await ctx.pool.query(
    `INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [id, await ctx.deps.hasher.hash('Lycee-Paris-2010')],
  );
  // A verified contact, as after her first connection (else the login asks for one).
  await ctx.pool.query(
    `UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1`,
    [id],
  );
  await ctx.pool.query('UPDATE dossier_members SET delegation = $2 WHERE person_id = $1', [
    id,
    delegation,
  ]);
}

/** Logged in as the persona: by NIR, by provisional identifier (Amadou), Léa with her account. */
async function as(key: string): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  const p = demo(key);
  const res =
    key === 'identifiant-provisoire'
      ? await b.submit('/identifiant-provisoire', {
          identifiant: required(p.provisionalId, 'id'),
          password: required(p.password, 'password'),
        })
      : key === 'enfant-16'
        ? await b.login(required(p.nir, 'nir'), 'Lycee-Paris-2010')
        : await b.login(persona(key).nir, persona(key).password);
  expect(res.headers.location).toBe('/mon-compte');
  return b;
}

/** POSTs the upload form as the browser would, with the token of the page just shown. */
async function upload(
  b: TestBrowser,
  fields: Record<string, string>,
  file?: UploadFile,
  options: { token?: boolean } = {},
): Promise<Reply> {
  const page = await b.get(PATH);
  const cle = /name="cle" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const all = {
    ...(options.token === false ? {} : { _csrf: csrfTokenOf(page.body) }),
    cle,
    ...fields,
  };
  const { body, contentType } = multipartBody(all, file);
  const res = await ctx.app.inject({
    method: 'POST',
    url: PATH,
    headers: { cookie: b.cookieHeader(), 'content-type': contentType },
    payload: body,
  });
  return { statusCode: res.statusCode, headers: res.headers, body: res.body, cookies: res.cookies };
}

async function requestId(kind: string, askedOf: string | null): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>(
    `SELECT r.id FROM document_requests r
      WHERE r.kind = $1 AND r.person_id IS NOT DISTINCT FROM $2 ORDER BY r.asked_at LIMIT 1`,
    [kind, askedOf === null ? null : await idOf(askedOf)],
  );
  return required(r.rows[0]?.id, kind);
}

async function camilleRequest(kind = 'Attestation de loyer'): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>(
    `SELECT r.id FROM document_requests r JOIN dossiers d ON d.id = r.dossier_id
      WHERE d.number = '1234567' AND r.kind = $1 AND r.person_id IS NULL`,
    [kind],
  );
  return required(r.rows[0]?.id, kind);
}

async function documentCount(): Promise<number> {
  const r = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
  return r.rows[0]?.n ?? 0;
}

const pdfFile = async (name = 'avis.pdf'): Promise<UploadFile> => ({
  name,
  type: 'application/pdf',
  bytes: await samplePdf('Avis d’imposition 2025 — Camille MARTIN'),
});

describe('Mes documents: the access matrix, persona by persona', () => {
  // own-name-requests opens the page; household-requests decides what is seen (on the record).
  const cases: [string, number, { delegation?: boolean } | null][] = [
    ['allocataire-migre', 200, null],
    ['conjoint-sans-delegation', 200, null],
    ['conjoint-avec-delegation', 200, null],
    ['identifiant-provisoire', 200, null],
    ['foyer-sans-lien', 200, null],
    ['primo-demandeur', 403, null],
    ['enfant-16', 403, { delegation: false }],
    ['enfant-16', 200, { delegation: true }],
  ];
  for (const [key, status, lea] of cases) {
    it(`${key}${lea ? (lea.delegation ? ' with delegation' : ' without delegation') : ''}: ${String(status)} on the page and on upload`, async () => {
      if (lea) await giveLeaAnAccount(lea.delegation ?? false);
      const b = await as(key);
      const page = await b.get(PATH);
      expect(page.statusCode).toBe(status);
      if (status === 403) {
        expect(page.body).toContain('Accès non autorisé');
        expect(page.body).not.toContain('Documents demandés');
        expect(page.body).not.toContain('Attestation de loyer');
        expect(page.body).not.toContain('Avis d’imposition');
        // The upload is refused the same way, with a valid token from another page.
        const home = await b.get('/mon-compte');
        const { body, contentType } = multipartBody(
          {
            _csrf: csrfTokenOf(home.body),
            cle: crypto.randomUUID(),
            demande: 'libre',
            description: 'x',
          },
          await pdfFile(),
        );
        const before = await documentCount();
        const res = await ctx.app.inject({
          method: 'POST',
          url: PATH,
          headers: { cookie: b.cookieHeader(), 'content-type': contentType },
          payload: body,
        });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('Accès non autorisé');
        expect(await documentCount()).toBe(before);
      } else {
        expect(page.body).toContain('Documents demandés par la Caf');
        const res = await upload(
          b,
          { demande: 'libre', description: `Document de ${key}` },
          await pdfFile(),
        );
        // A free document is for those who act for the household; a conjoint without delegation
        // answers only the requests addressed to them by name.
        const household = key !== 'conjoint-sans-delegation';
        expect(res.statusCode).toBe(household ? 303 : 403);
      }
      if (lea) await giveLeaAnAccount(false);
    });
  }

  it('shows the household’s requests to the allocataire, only his own to Julien', async () => {
    const camille = await (await as('allocataire-migre')).get(PATH);
    expect(camille.body).toContain('Attestation de loyer');
    expect(camille.body).toContain('Avis d’imposition 2025');
    expect(camille.body).toContain('Julien MARTIN');
    const julien = await (await as('conjoint-sans-delegation')).get(PATH);
    expect(julien.body).toContain('Avis d’imposition 2025');
    expect(julien.body).not.toContain('Attestation de loyer');
    expect(julien.body).not.toContain('value="libre"');
    const amadou = await (await as('identifiant-provisoire')).get(PATH);
    expect(amadou.body).toContain('Avis d’imposition 2025');
    expect(amadou.body).toContain('Justificatif de domicile');
  });

  it('writes the access-log row of the page with the documents category', async () => {
    const b = await as('allocataire-migre');
    await b.get(PATH);
    const r = await ctx.pool.query<{ categories: string[] }>(
      `SELECT categories FROM access_log WHERE route = $1 AND person_id = $2 ORDER BY id DESC LIMIT 1`,
      [PATH, await idOf('allocataire-migre')],
    );
    expect(r.rows[0]?.categories).toEqual(['documents']);
  });
});

describe('sending a document', () => {
  it('sends a real PDF for a request: receipt, stored bytes, request received, démarche « document » envoyée', async () => {
    const b = await as('allocataire-migre');
    const demande = await camilleRequest();
    const file = await pdfFile('attestation-loyer.pdf');
    const res = await upload(b, { demande }, file);
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/mon-compte\/documents\/accuse-de-reception\?reference=DOC-/);
    const receipt = await b.get(location);
    expect(receipt.statusCode).toBe(200);
    const reference = required(/data-reference>([^<]+)</.exec(receipt.body)?.[1], 'reference');
    expect(receipt.body).toContain('Votre document est bien envoyé à la Caf');
    expect(receipt.body).toContain('Attestation de loyer');
    expect(receipt.body).toContain('attestation-loyer.pdf');
    expect(receipt.body).toMatch(/Date d’envoi<\/dt><dd>\d{1,2} \S+ \d{4}/);

    const row = await ctx.pool.query<{
      storage_key: string;
      media_type: string;
      size_bytes: number;
      request_status: string;
    }>(
      `SELECT d.storage_key, d.media_type, d.size_bytes, r.status AS request_status
         FROM documents d JOIN document_requests r ON r.id = d.request_id WHERE d.reference = $1`,
      [reference],
    );
    const doc = required(row.rows[0], 'document row');
    expect(doc).toMatchObject({
      media_type: 'application/pdf',
      size_bytes: file.bytes.length,
      request_status: 'recu',
    });
    const stored = await postgresDocumentStore().get(ctx.pool, doc.storage_key);
    expect(stored?.equals(file.bytes)).toBe(true);
    const demarche = await ctx.pool.query<{ status: string; reference: string }>(
      `SELECT status, details->>'reference' AS reference FROM demarches
        WHERE kind = 'document' AND details->>'reference' = $1`,
      [reference],
    );
    expect(demarche.rows).toEqual([{ status: 'envoyee', reference }]);

    const list = await b.get(PATH);
    expect(list.body).toContain(`data-document="${reference}"`);
    expect(list.body).toContain('Reçu, en cours d’examen');
  });

  it('accepts a PNG and a JPEG, recognised from their bytes whatever their names', async () => {
    const b = await as('allocataire-leroy');
    for (const [file, mime] of [
      [{ name: 'photo.png', type: 'image/png', bytes: samplePng() }, 'image/png'],
      [{ name: 'scan', type: 'application/octet-stream', bytes: sampleJpeg() }, 'image/jpeg'],
    ] as const) {
      const res = await upload(b, { demande: 'libre', description: 'Quittance' }, file);
      expect(res.statusCode).toBe(303);
      const reference = new URL(String(res.headers.location), 'http://x').searchParams.get(
        'reference',
      );
      const r = await ctx.pool.query<{ media_type: string; storage_key: string }>(
        'SELECT media_type, storage_key FROM documents WHERE reference = $1',
        [reference],
      );
      expect(r.rows[0]?.media_type).toBe(mime);
      const stored = await postgresDocumentStore().get(
        ctx.pool,
        required(r.rows[0], 'row').storage_key,
      );
      expect(stored?.equals(file.bytes)).toBe(true);
    }
  });

  const refused: [string, () => Promise<UploadFile> | UploadFile, string][] = [
    [
      'a text file named .pdf',
      () => ({
        name: 'avis.pdf',
        type: 'application/pdf',
        bytes: Buffer.from('Ceci est un texte.'),
      }),
      'Le fichier doit être au format PDF, JPEG ou PNG.',
    ],
    [
      'an executable renamed .pdf',
      () => ({
        name: 'avis.pdf',
        type: 'application/pdf',
        bytes: Buffer.concat([
          Buffer.from('4d5a90000300000004000000ffff0000', 'hex'),
          Buffer.alloc(256, 1),
        ]),
      }),
      'Le fichier doit être au format PDF, JPEG ou PNG.',
    ],
    [
      'a PDF over 10 Mo',
      () => {
        const bytes = Buffer.alloc(MAX_DOCUMENT_BYTES + 1);
        bytes.write('%PDF-1.4\n');
        return { name: 'gros.pdf', type: 'application/pdf', bytes };
      },
      'Le fichier dépasse 10 Mo.',
    ],
    [
      'an empty file',
      () => ({ name: 'vide.pdf', type: 'application/pdf', bytes: Buffer.alloc(0) }),
      'Le fichier sélectionné est vide.',
    ],
    [
      'no file chosen',
      () => ({ name: '', type: 'application/octet-stream', bytes: Buffer.alloc(0) }),
      'Sélectionnez le fichier à envoyer.',
    ],
  ];
  for (const [what, make, message] of refused) {
    it(`refuses ${what} with the French message by the field and in the summary`, async () => {
      const b = await as('allocataire-migre');
      const before = await documentCount();
      const res = await upload(
        b,
        { demande: 'libre', description: 'Bulletin de salaire' },
        await make(),
      );
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(new RegExp(`id="fichier-error">${message}`));
      expect(res.body).toMatch(/id="error-summary"[\s\S]*href="#fichier"/);
      expect(res.body).toContain(message);
      expect(res.body).toMatch(/id="fichier"[^>]*aria-invalid="true"/);
      // The other values are kept.
      expect(res.body).toContain('value="Bulletin de salaire"');
      expect(res.body).toMatch(/id="demande-libre"[^>]*checked/);
      expect(await documentCount()).toBe(before);
    });
  }

  it('accepts a file of exactly 10 Mo', async () => {
    const b = await as('allocataire-migre');
    const bytes = Buffer.alloc(MAX_DOCUMENT_BYTES, 0x20);
    bytes.write('%PDF-1.4\n');
    const res = await upload(
      b,
      { demande: 'libre', description: 'Gros scan' },
      {
        name: 'scan.pdf',
        type: 'application/pdf',
        bytes,
      },
    );
    expect(res.statusCode).toBe(303);
  });

  it('asks for a description of a free document, and for a choice', async () => {
    const b = await as('allocataire-migre');
    const res = await upload(b, { demande: 'libre' }, await pdfFile());
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="description-error">Décrivez le document');
    const none = await upload(b, {}, await pdfFile());
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('id="demande-error">Choisissez le document que vous envoyez.');
  });

  it('refuses a multipart POST without a valid CSRF token, and records nothing', async () => {
    const b = await as('allocataire-migre');
    const before = await documentCount();
    const missing = await upload(b, { demande: 'libre', description: 'x' }, await pdfFile(), {
      token: false,
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('Formulaire expiré');
    const forged = await upload(
      b,
      { demande: 'libre', description: 'x', _csrf: 'pas-le-bon-jeton' },
      await pdfFile(),
    );
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain('Formulaire expiré');
    expect(await documentCount()).toBe(before);
  });

  it('sends an anonymous upload to the login page, reading nothing', async () => {
    const { body, contentType } = multipartBody({ demande: 'libre' }, await pdfFile());
    const res = await ctx.app.inject({
      method: 'POST',
      url: PATH,
      headers: { 'content-type': contentType },
      payload: body,
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion');
  });

  it('parses multipart on this page only: another form of the area refuses it', async () => {
    const b = await as('allocataire-migre');
    const page = await b.get('/mon-compte/changement-adresse');
    const { body, contentType } = multipartBody(
      { _csrf: csrfTokenOf(page.body), cle: crypto.randomUUID(), ligne1: '1 rue' },
      await pdfFile(),
    );
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/mon-compte/changement-adresse',
      headers: { cookie: b.cookieHeader(), 'content-type': contentType },
      payload: body,
    });
    expect(res.statusCode).toBe(415);
  });

  it('answers an unreadable multipart body with the French 400 page, not a 500', async () => {
    const b = await as('allocataire-migre');
    const cases: [string, string | Buffer][] = [
      ['multipart/form-data', ''],
      ['multipart/form-data; boundary=abc', '--abc\r\nContent-Disposition: form-data; name="x"'],
      ['multipart/form-data; boundary=abc', Buffer.from('--abc\r\n\u0000\u0001garbage')],
    ];
    for (const [contentType, payload] of cases) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: PATH,
        headers: { cookie: b.cookieHeader(), 'content-type': contentType },
        payload,
      });
      expect(res.statusCode, contentType).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, contentType).toBeLessThan(500);
      expect(res.body).toContain('lang="fr"');
    }
  });

  it('refuses control characters in the description by its field', async () => {
    const b = await as('allocataire-migre');
    const res = await upload(b, { demande: 'libre', description: 'a\u0000b' }, await pdfFile());
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'id="description-error">Ce champ contient des caractères non autorisés.',
    );
  });

  it('answers 404 for a reference that is not one of ours', async () => {
    const b = await as('allocataire-migre');
    for (const reference of ['', 'DOC-0000-0000', '%00', 'x'.repeat(500)]) {
      const res = await b.get(`${PATH}/accuse-de-reception?reference=${reference}`);
      expect(res.statusCode, reference).toBe(404);
    }
  });

  it('records one document for a double submit of the same form', async () => {
    const b = await as('allocataire-migre');
    const page = await b.get(PATH);
    const cle = required(/name="cle" value="([^"]+)"/.exec(page.body)?.[1], 'cle');
    const token = csrfTokenOf(page.body);
    const file = await pdfFile('double.pdf');
    const send = () => {
      const { body, contentType } = multipartBody(
        { _csrf: token, cle, demande: 'libre', description: 'Double envoi' },
        file,
      );
      return ctx.app.inject({
        method: 'POST',
        url: PATH,
        headers: { cookie: b.cookieHeader(), 'content-type': contentType },
        payload: body,
      });
    };
    const [first, second] = await Promise.all([send(), send()]);
    const third = await send();
    expect([first.statusCode, second.statusCode, third.statusCode]).toEqual([303, 303, 303]);
    expect(
      new Set([first.headers.location, second.headers.location, third.headers.location]).size,
    ).toBe(1);
    const r = await ctx.pool.query<{ n: number; files: number; demarches: number }>(
      `SELECT count(*)::int AS n,
              (SELECT count(*)::int FROM document_files f WHERE f.key IN
                 (SELECT storage_key FROM documents WHERE idempotency_key = $1)) AS files,
              (SELECT count(*)::int FROM demarches WHERE idempotency_key = 'document:' || $1) AS demarches
         FROM documents WHERE idempotency_key = $1`,
      [cle],
    );
    expect(r.rows[0]).toEqual({ n: 1, files: 1, demarches: 1 });
  });

  it('lets Julien answer what is asked of him by name, not the household’s requests', async () => {
    const b = await as('conjoint-sans-delegation');
    const own = await requestId('Avis d’imposition 2025', 'conjoint-sans-delegation');
    const household = await camilleRequest('Attestation de loyer');
    const before = await documentCount();
    const refusedRes = await upload(b, { demande: household }, await pdfFile());
    expect(refusedRes.statusCode).toBe(403);
    expect(await documentCount()).toBe(before);
    const res = await upload(b, { demande: own }, await pdfFile('avis-julien.pdf'));
    expect(res.statusCode).toBe(303);
    const receipt = await b.get(String(res.headers.location));
    expect(receipt.body).toContain('Avis d’imposition 2025');
    // The allocataire sees what Julien sent; Julien does not see the household's other sendings.
    const camille = await (await as('allocataire-migre')).get(PATH);
    expect(camille.body).toContain('avis-julien.pdf');
    const julienList = await b.get(PATH);
    expect(julienList.body).not.toContain('attestation-loyer.pdf');
  });

  it('does not show a receipt of another household', async () => {
    const camille = await as('allocataire-migre');
    const res = await upload(camille, { demande: 'libre', description: 'Privé' }, await pdfFile());
    const location = String(res.headers.location);
    const other = await as('foyer-sans-lien');
    expect((await other.get(location)).statusCode).toBe(404);
  });

  it('counts the documents requested on the dashboard', async () => {
    const amadou = await (await as('identifiant-provisoire')).get('/mon-compte');
    expect(amadou.body).toContain('data-documents-demandes="2"');
    expect(amadou.body).toContain('2 documents à envoyer à la Caf.');
    const ines = await (await as('primo-demandeur')).get('/mon-compte');
    expect(ines.body).not.toContain('data-documents-demandes');
  });
});

describe('Mes documents in one statement (ADR 0014)', () => {
  it('re-checks the memberships it decided on: a delegation granted in between opens the household’s requests, logged once', async () => {
    const julien = await idOf('conjoint-sans-delegation');
    const claims = await openSession(ctx.pool, ctx.deps.config.session, {
      personId: julien,
      method: 'password',
      acr: null,
      clientIp: null,
      userAgent: null,
    });
    const started = await startRequest(ctx.deps, claims);
    const principal = required(started.principal, 'Julien signed in');
    expect(started.dossiers.map((d) => d.membership.delegation)).toEqual([false]);
    const dossierId = required(started.dossiers[0], 'his dossier').dossier.id;
    // The household is asked for documents that are not asked of him by name.
    const all = await ctx.pool.query<{ id: string }>(
      'SELECT id FROM document_requests WHERE dossier_id = $1',
      [dossierId],
    );
    const his = await ctx.pool.query('SELECT 1 FROM document_requests WHERE person_id = $1', [
      julien,
    ]);
    expect(all.rowCount).toBeGreaterThan(his.rowCount ?? 0);
    await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
      julien,
    ]);
    try {
      const page = await loadDocuments(ctx.deps, principal, started.dossiers, '/essai');
      if (!page.ok) throw new Error('refused');
      expect(page.household).toBe(true);
      expect(page.requests.map((r) => r.id).sort()).toEqual(all.rows.map((r) => r.id).sort());
      const logged = await ctx.pool.query<{ dossier: string | null; categories: string[] }>(
        'SELECT dossier_id AS dossier, categories FROM access_log WHERE session_hash = $1 ORDER BY id',
        [principal.sessionHash],
      );
      expect(logged.rows).toEqual([{ dossier: dossierId, categories: ['documents'] }]);
    } finally {
      await ctx.pool.query('UPDATE dossier_members SET delegation = false WHERE person_id = $1', [
        julien,
      ]);
    }
  });
});
