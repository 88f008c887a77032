import { describe, expect, it } from 'vitest';
import { loadFoyer } from '#src/services/household.ts';
import { openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { lastMessageTo, waitForDelivery } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

async function as(key: string): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  expect((await b.login(p.nir, p.password)).headers.location).toBe('/mon-compte');
  return b;
}

async function idOf(key: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
    demo(key).nir,
  ]);
  return required(r.rows[0]?.id, key);
}

const PAYMENTS = 'Mes derniers paiements';

describe('the access matrix over HTTP, persona by persona', () => {
  const pages: [string, Record<string, number>][] = [
    ['allocataire-migre', { '/mon-compte/foyer': 200, '/mon-compte/separation': 200 }],
    ['conjoint-sans-delegation', { '/mon-compte/foyer': 200, '/mon-compte/separation': 200 }],
    ['conjoint-avec-delegation', { '/mon-compte/foyer': 200, '/mon-compte/separation': 200 }],
    ['foyer-sans-lien', { '/mon-compte/foyer': 200, '/mon-compte/separation': 200 }],
    ['primo-demandeur', { '/mon-compte/foyer': 403, '/mon-compte/separation': 403 }],
  ];
  for (const [key, expected] of pages) {
    it(`${key}: pages open or refused as docs/design.md §3 says`, async () => {
      const b = await as(key);
      for (const [url, status] of Object.entries(expected)) {
        const res = await b.get(url);
        expect({ url, status: res.statusCode }).toEqual({ url, status });
        if (status === 403) expect(res.body).toContain('Accès non autorisé');
      }
    });
  }

  it('shows payments and the RIB to the allocataire and a conjoint with delegation, not to one without', async () => {
    expect((await (await as('allocataire-migre')).get('/mon-compte')).body).toContain(PAYMENTS);
    expect((await (await as('conjoint-avec-delegation')).get('/mon-compte')).body).toContain(
      PAYMENTS,
    );
    const julien = await (await as('conjoint-sans-delegation')).get('/mon-compte');
    expect(julien.body).not.toContain(PAYMENTS);
    expect(julien.body).not.toContain('data-iban');
    expect(julien.body).toContain('Numéro allocataire 1234567');
  });

  it('offers invitations and delegations to the allocataire only', async () => {
    const foyer = await (await as('allocataire-migre')).get('/mon-compte/foyer');
    expect(foyer.body).toContain('Inviter Léa à créer son compte');
    expect(foyer.body).toContain('Donner délégation à Julien');
    expect(foyer.body).not.toContain('Inviter Hugo');
    for (const key of ['conjoint-sans-delegation', 'conjoint-avec-delegation']) {
      const page = await (await as(key)).get('/mon-compte/foyer');
      expect(page.body).not.toContain('Envoyer l’invitation');
      expect(page.body).not.toContain('délégation à');
    }
  });

  it('refuses invitations and delegation changes from anyone but the allocataire', async () => {
    const antoine = await as('conjoint-avec-delegation');
    const sophieId = await idOf('allocataire-leroy');
    const inv = await antoine.submit(
      '/mon-compte/foyer',
      { membre: sophieId, channel: 'courrier' },
      '/mon-compte/foyer/invitation',
    );
    expect(inv.statusCode).toBe(403);
    const del = await antoine.submit(
      '/mon-compte/foyer',
      { membre: sophieId, action: 'retirer' },
      '/mon-compte/foyer/delegation',
    );
    expect(del.statusCode).toBe(403);
  });

  it('never acts on a member of another dossier named in the form', async () => {
    const camille = await as('allocataire-migre');
    const antoineId = await idOf('conjoint-avec-delegation');
    const res = await camille.submit(
      '/mon-compte/foyer',
      { membre: antoineId, action: 'retirer' },
      '/mon-compte/foyer/delegation',
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('ne fait pas partie de votre foyer');
    const still = await ctx.pool.query<{ delegation: boolean }>(
      'SELECT delegation FROM dossier_members WHERE person_id = $1',
      [antoineId],
    );
    expect(still.rows[0]?.delegation).toBe(true);
    const inv = await camille.submit(
      '/mon-compte/foyer',
      { membre: antoineId, channel: 'courrier' },
      '/mon-compte/foyer/invitation',
    );
    expect(inv.statusCode).toBe(400);
  });

  it('explains why a child under 15 cannot be invited', async () => {
    const camille = await as('allocataire-migre');
    const hugo = await idOf('enfant-10');
    const res = await camille.submit(
      '/mon-compte/foyer',
      { membre: hugo, channel: 'courrier' },
      '/mon-compte/foyer/invitation',
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('qu’à partir de 15 ans');
    expect((await camille.get('/mon-compte/foyer')).body).toContain('Pas de compte avant 15 ans');
  });

  it('explains a bad invitation form by the field', async () => {
    const camille = await as('allocataire-migre');
    const lea = await idOf('enfant-16');
    const res = await camille.submit(
      '/mon-compte/foyer',
      { membre: lea, channel: 'email', email: 'pas-une-adresse' },
      '/mon-compte/foyer/invitation',
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Saisissez une adresse électronique valide');
    const junk = await camille.submit(
      '/mon-compte/foyer',
      { membre: 'pas-un-id' },
      '/mon-compte/foyer/invitation',
    );
    expect(junk.statusCode).toBe(400);
  });
});

describe('invitation and activation of a 16-year-old', () => {
  it('lets Léa activate her own account and see only what the matrix allows', async () => {
    const camille = await as('allocataire-migre');
    const leaId = await idOf('enfant-16');
    const sent = await camille.submit(
      '/mon-compte/foyer',
      { membre: leaId, channel: 'email', email: 'lea.martin@example.fr' },
      '/mon-compte/foyer/invitation',
    );
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Invitation envoyée à Léa par courriel.');
    const mail = required(await lastMessageTo(ctx.pool, 'lea.martin@example.fr'), 'invitation');
    const code = required(/([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(mail.body)?.[1], 'code');
    // Issue 8: the e-mail gives the page's address, on the portal's public origin.
    expect(mail.body).toMatch(/« Activer mon compte » \(https?:\/\/[^)\s]+\/activer-mon-compte\)/);

    const lea = demo('enfant-16');
    const wrongPerson = new TestBrowser(ctx.app);
    const refused = await wrongPerson.submit('/activer-mon-compte', {
      nir: required(demo('conjoint-sans-delegation').nir, 'nir'),
      code,
    });
    expect(refused.statusCode).toBe(400);

    const b = new TestBrowser(ctx.app);
    const ok = await b.submit('/activer-mon-compte', {
      nir: required(lea.nir, 'nir'),
      code: code.toLowerCase(),
    });
    expect(ok.headers.location).toBe('/premiere-connexion');
    expect((await b.get('/premiere-connexion')).body).toContain(
      'Votre code d’activation est reconnu.',
    );
    await b.submit('/premiere-connexion', { password: 'Lycee-Paris-2010' });
    await b.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'lea.martin@example.fr',
    });
    const codeMail = required(await lastMessageTo(ctx.pool, 'lea.martin@example.fr'), 'code');
    const six = required(/\b(\d{6})\b/.exec(codeMail.body)?.[1], 'six digits');
    expect((await b.submit('/premiere-connexion/code', { code: six })).headers.location).toBe(
      '/mon-compte',
    );

    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Léa MARTIN');
    expect(page.body).toContain('réservées à l’allocataire');
    expect(page.body).not.toContain(PAYMENTS);
    expect(page.body).not.toContain('12 rue des Lilas');
    expect((await b.get('/mon-compte/foyer')).statusCode).toBe(403);
    expect((await b.get('/mon-compte/separation')).statusCode).toBe(403);

    // The code works once only.
    const again = await new TestBrowser(ctx.app).submit('/activer-mon-compte', {
      nir: required(lea.nir, 'nir'),
      code,
    });
    expect(again.statusCode).toBe(400);

    // A delegation to the 16-year-old opens the household's payments on her next request.
    await camille.submit(
      '/mon-compte/foyer',
      { membre: leaId, action: 'accorder' },
      '/mon-compte/foyer/delegation',
    );
    expect((await b.get('/mon-compte')).body).toContain(PAYMENTS);
    await camille.submit(
      '/mon-compte/foyer',
      { membre: leaId, action: 'retirer' },
      '/mon-compte/foyer/delegation',
    );
    expect((await b.get('/mon-compte')).body).not.toContain(PAYMENTS);
  });

  it('sends a letter invitation to the household address, into the outbox', async () => {
    const sophie = await as('allocataire-leroy');
    const members = await ctx.pool.query<{ id: string }>(
      "SELECT p.id FROM persons p JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id WHERE d.number = '3456789' AND m.role = 'enfant'",
    );
    const jade = required(members.rows[0]?.id, 'jade');
    const res = await sophie.submit(
      '/mon-compte/foyer',
      { membre: jade, channel: 'courrier' },
      '/mon-compte/foyer/invitation',
    );
    expect(res.statusCode).toBe(400); // Jade is under 15
    await waitForDelivery(ctx.pool);
    const noLetter = await ctx.pool.query(
      "SELECT 1 FROM dev_outbox WHERE channel = 'courrier' AND body LIKE '%Jade%'",
    );
    expect(noLetter.rowCount).toBe(0);
    // Another member aged 15 or more: the grandmother living in the Martin household.
    const added = await ctx.pool.query<{ id: string }>(
      `INSERT INTO persons (nir, given_name, family_name, sex, birthdate)
       VALUES ('2520175114200', 'Odette', 'Martin', 2, '1952-01-09') RETURNING id`,
    );
    const odette = required(added.rows[0]?.id, 'odette');
    await ctx.pool.query(
      "INSERT INTO dossier_members (dossier_id, person_id, role) SELECT id, $1, 'autre' FROM dossiers WHERE number = '1234567'",
      [odette],
    );
    const camille = await as('allocataire-migre');
    const letter = await camille.submit(
      '/mon-compte/foyer',
      { membre: odette, channel: 'courrier' },
      '/mon-compte/foyer/invitation',
    );
    expect(letter.statusCode).toBe(200);
    expect(letter.body).toContain('Invitation envoyée à Odette par courrier.');
    const row = required(
      await lastMessageTo(
        ctx.pool,
        'Odette MARTIN\n12 rue des Lilas\nBâtiment B, 3e étage\n75014 Paris',
        'courrier',
      ),
      'letter',
    );
    expect(row.body).toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}/);
    expect(row.body).toContain('30 jours');
  });
});

describe('delegation and separation', () => {
  it('changes the conjoint’s pages on the next request, audits it and tells both people', async () => {
    const camille = await as('allocataire-migre');
    const julien = await as('conjoint-sans-delegation');
    const julienId = await idOf('conjoint-sans-delegation');
    expect((await julien.get('/mon-compte')).body).not.toContain(PAYMENTS);
    const granted = await camille.submit(
      '/mon-compte/foyer',
      { membre: julienId, action: 'accorder' },
      '/mon-compte/foyer/delegation',
    );
    expect(granted.body).toContain('Délégation accordée à Julien');
    expect((await julien.get('/mon-compte')).body).toContain(PAYMENTS);
    expect(
      required(await lastMessageTo(ctx.pool, 'julien.martin@example.fr'), 'notice').subject,
    ).toBe('Délégation accordée');
    expect(
      required(await lastMessageTo(ctx.pool, 'camille.martin@example.fr'), 'notice').subject,
    ).toBe('Délégation accordée');
    await camille.submit(
      '/mon-compte/foyer',
      { membre: julienId, action: 'retirer' },
      '/mon-compte/foyer/delegation',
    );
    expect((await julien.get('/mon-compte')).body).not.toContain(PAYMENTS);
    const audit = await ctx.pool.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE target_person_id = $1 ORDER BY id',
      [julienId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['delegation-accordee', 'delegation-retiree']),
    );
    await expect(ctx.pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('lets the conjoint declare a separation once: the delegation ends and both are told', async () => {
    const antoine = await as('conjoint-avec-delegation');
    expect((await antoine.get('/mon-compte')).body).toContain(PAYMENTS);
    const form = await antoine.get('/mon-compte/separation');
    const cle = required(/name="cle" value="([^"]+)"/.exec(form.body)?.[1], 'cle');
    const token = required(/name="_csrf" value="([^"]+)"/.exec(form.body)?.[1], 'csrf');

    const bad = await antoine.post('/mon-compte/separation', {
      _csrf: token,
      cle,
      date: '01/01/2099',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('ne peut pas être dans le futur');
    expect(bad.body).toContain('Cochez la case pour confirmer');

    const body = { _csrf: token, cle, date: '31/10/2026', confirmation: 'on' };
    const [first, second] = await Promise.all([
      antoine.post('/mon-compte/separation', body),
      antoine.post('/mon-compte/separation', body),
    ]);
    // Post/redirect/get: both answers send to the dashboard, which confirms once (issue 8).
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    expect([first.headers.location, second.headers.location]).toEqual([
      '/mon-compte',
      '/mon-compte',
    ]);
    const demarches = await ctx.pool.query(
      "SELECT 1 FROM demarches WHERE kind = 'separation' AND idempotency_key = $1",
      [cle],
    );
    expect(demarches.rowCount).toBe(1);
    const arrival = (await antoine.get('/mon-compte')).body;
    expect(arrival).toContain('Votre déclaration de séparation est enregistrée');
    expect(arrival).not.toContain(PAYMENTS);
    expect((await antoine.get('/mon-compte')).body).not.toContain(
      'Votre déclaration de séparation est enregistrée',
    );
    // Issue 8: the allocataire's dashboard shows the démarche under study, not only « Vie maritale ».
    const sophie = await as('allocataire-leroy');
    const dashboard = (await sophie.get('/mon-compte')).body;
    expect(dashboard).toContain('data-demarche="separation"');
    expect(dashboard).toContain('Séparation déclarée au 31 octobre 2026');
    expect(
      required(await lastMessageTo(ctx.pool, 'sophie.leroy@example.fr'), 'notice').subject,
    ).toBe('Déclaration de séparation enregistrée');
    expect(
      required(await lastMessageTo(ctx.pool, 'antoine.leroy@example.fr'), 'notice').subject,
    ).toBe('Déclaration de séparation enregistrée');
  });
});

describe('Mon foyer in one statement (ADR 0014)', () => {
  it('re-checks the memberships it decided on: a role changed in between is refused afresh, nothing logged; else logged once', async () => {
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
    expect(started.dossiers.map((d) => d.membership.role)).toEqual(['conjoint']);
    const logged = async () =>
      (
        await ctx.pool.query<{ dossier: string | null; categories: string[] }>(
          'SELECT dossier_id AS dossier, categories FROM access_log WHERE session_hash = $1 ORDER BY id',
          [principal.sessionHash],
        )
      ).rows;
    // Between the session's statement and the page's, he becomes a member without delegation:
    // the household's members are no longer his to see.
    await ctx.pool.query("UPDATE dossier_members SET role = 'autre' WHERE person_id = $1", [
      julien,
    ]);
    try {
      const refused = await loadFoyer(ctx.deps, principal, started.dossiers, '/essai');
      expect(refused).toEqual({ ok: false, reason: 'forbidden' });
      expect(await logged()).toEqual([]);
    } finally {
      await ctx.pool.query("UPDATE dossier_members SET role = 'conjoint' WHERE person_id = $1", [
        julien,
      ]);
    }
    const page = await loadFoyer(ctx.deps, principal, started.dossiers, '/essai');
    if (!page.ok) throw new Error('refused');
    expect(page.members.map((m) => m.personId)).toContain(julien);
    expect(await logged()).toEqual([
      { dossier: page.household.dossierId, categories: ['membres'] },
    ]);
  });
});
