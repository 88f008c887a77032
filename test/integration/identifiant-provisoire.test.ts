import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { projectRoot } from '#src/config.ts';
import { makeNir } from '#src/domain/nir.ts';
import { PROVISIONAL_LOGIN_FAILED } from '#src/http/journeys/identifiant-provisoire/routes.ts';
import { assignNir } from '#src/services/provisional-id.ts';
import { accountSubject } from '#src/services/throttling.ts';
import {
  createTestApp,
  createTestDatabase,
  useTestApp,
  type TestApp,
  type TestDatabase,
} from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { TEST_SESSION_KEY } from '../support/config.ts';
import { sessionOf } from '../support/cookies.ts';
import { codeIn, lastMessageTo, waitForDelivery } from '../support/outbox.ts';
import { demo, required } from '../support/personas.ts';

const ctx = useTestApp();

const amadou = demo('identifiant-provisoire');
const ID = required(amadou.provisionalId, 'provisional id');
const PASSWORD = required(amadou.password, 'password');
/** The NIR the Caf assigns to Amadou later: man, born in June 1995 in Senegal (99 341). */
const AMADOU_NIR = makeNir({
  sex: 1,
  birthYear: 1995,
  birthMonth: 6,
  department: '99',
  commune: '341',
  order: 17,
}).value;

function loginWithId(b: TestBrowser, identifiant: string, password: string) {
  return b.submit('/identifiant-provisoire', { identifiant, password });
}

async function personIdOf(provisionalId: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE provisional_id = $1',
    [provisionalId],
  );
  return required(r.rows[0]?.id, 'person');
}

/** The page without what changes from one request to the next (nonce, CSRF token, values). */
const strip = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/value="[^"]*"/g, '');

describe('GET /identifiant-provisoire', () => {
  it('shows a DSFR login form with the labels of the real portal', async () => {
    const res = await new TestBrowser(ctx.app).get('/identifiant-provisoire');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<label class="fr-label" for="identifiant">Identifiant provisoire');
    expect(res.body).toContain('<label class="fr-label" for="password">Mot de passe');
    expect(res.body).toContain('href="/identifiant-provisoire/mot-de-passe-oublie"');
    expect(res.body).toContain('Mot de passe oublié\u00a0?');
    expect(res.body).toContain('name="_csrf"');
    expect(res.body).not.toContain('prochainement');
  });

  it('is linked from /connexion', async () => {
    const res = await new TestBrowser(ctx.app).get('/connexion');
    expect(res.body).toContain('href="/identifiant-provisoire"');
  });
});

describe('POST /identifiant-provisoire', () => {
  it('logs Amadou in with his provisional identifier and shows his own dossier', async () => {
    const b = new TestBrowser(ctx.app);
    const res = await loginWithId(b, ID, PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-compte');
    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Amadou DIALLO');
    expect(page.body).toContain('Numéro allocataire 4567890');
    expect(page.body).toContain(ID);
  });

  it('accepts the identifier in lower case and with spaces', async () => {
    const res = await loginWithId(new TestBrowser(ctx.app), ' p 2026 004817 ', PASSWORD);
    expect(res.headers.location).toBe('/mon-compte');
  });

  it('answers an unknown identifier exactly like a wrong password, for one verify each', async () => {
    const verify = vi.spyOn(ctx.deps.hasher, 'verify');
    const nothing = vi.spyOn(ctx.deps.hasher, 'verifyNothing');
    try {
      const tried = new TestBrowser(ctx.app);
      const wrong = await loginWithId(tried, ID, 'Mauvais-Mot-2026');
      expect([verify.mock.calls.length, nothing.mock.calls.length]).toEqual([1, 0]);
      const unknown = await loginWithId(
        new TestBrowser(ctx.app),
        'P2026999999',
        'Mauvais-Mot-2026',
      );
      expect([verify.mock.calls.length, nothing.mock.calls.length]).toEqual([1, 1]);
      expect(wrong.statusCode).toBe(401);
      expect(unknown.statusCode).toBe(401);
      expect(wrong.body).toContain(PROVISIONAL_LOGIN_FAILED);
      expect(strip(unknown.body)).toBe(strip(wrong.body));
      // Decrypted: the browser holds its anonymous form session, and no session id.
      expect(typeof sessionOf(ctx.app, tried)?._csrf).toBe('string');
      expect(sessionOf(ctx.app, tried)).not.toHaveProperty('sid');
    } finally {
      verify.mockRestore();
      nothing.mockRestore();
    }
  });

  it('gives a person with a provisional identifier but no account the same answer', async () => {
    await ctx.pool.query(
      `INSERT INTO persons (provisional_id, given_name, family_name, sex, birthdate)
       VALUES ('P2026000042', 'Awa', 'Traoré', 2, '1990-01-01')`,
    );
    const res = await loginWithId(new TestBrowser(ctx.app), 'P2026000042', 'Nimporte-quoi-1');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain(PROVISIONAL_LOGIN_FAILED);
  });

  it.each([
    ['', 'Saisissez votre identifiant provisoire.'],
    ['P12345', 'lettre P suivie de 10 chiffres'],
    ['2850375114123', 'ressemble à un numéro de sécurité sociale'],
  ])('explains a malformed identifier %j by the field and in the summary', async (id, message) => {
    const res = await loginWithId(new TestBrowser(ctx.app), id, 'Nimporte-quoi-1');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="error-summary"');
    expect(res.body).toContain('href="#identifiant"');
    expect(res.body).toMatch(new RegExp(`id="identifiant-error">[^<]*${message}`));
  });

  it('asks for the password, and never 500s on an empty body', async () => {
    const empty = await new TestBrowser(ctx.app).submit('/identifiant-provisoire', {});
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Saisissez votre identifiant provisoire.');
    expect(empty.body).toContain('Saisissez votre mot de passe.');
  });

  it('refuses a POST without the CSRF token', async () => {
    const b = new TestBrowser(ctx.app);
    await b.get('/identifiant-provisoire');
    const res = await b.post('/identifiant-provisoire', { identifiant: ID, password: PASSWORD });
    expect(res.statusCode).toBe(403);
  });

  it('sends a person without a verified contact to the contact step first', async () => {
    await ctx.pool.query(
      'UPDATE persons SET email_verified_at = NULL, phone_verified_at = NULL WHERE provisional_id = $1',
      [ID],
    );
    try {
      const b = new TestBrowser(ctx.app);
      const res = await loginWithId(b, ID, PASSWORD);
      expect(res.headers.location).toBe('/premiere-connexion/coordonnees');
      expect((await b.get('/mon-compte')).statusCode).toBe(303);
      await b.submit('/premiere-connexion/coordonnees', {
        channel: 'email',
        email: 'amadou.diallo@example.fr',
      });
      const mail = required(await lastMessageTo(ctx.pool, 'amadou.diallo@example.fr'), 'mail');
      const done = await b.submit('/premiere-connexion/code', { code: codeIn(mail.body) });
      expect(done.headers.location).toBe('/mon-compte');
      expect(headerNameOf((await b.get('/mon-compte')).body)).toBe('Amadou DIALLO');
    } finally {
      await ctx.pool.query(
        'UPDATE persons SET email_verified_at = now() WHERE provisional_id = $1',
        [ID],
      );
    }
  });

  it('throttles per provisional identifier typed, keyed apart from any NIR', async () => {
    const subject = accountSubject(ctx.deps.secrets.throttles, 'provisional:P2026777777');
    await loginWithId(new TestBrowser(ctx.app), 'P2026777777', 'Mauvais-Mot-2026');
    const rows = await ctx.pool.query<{ failures: number }>(
      "SELECT failures FROM throttles WHERE scope = 'account' AND kind = 'password' AND subject = $1",
      [subject],
    );
    expect(rows.rows[0]?.failures).toBe(1);
    const raw = await ctx.pool.query("SELECT 1 FROM throttles WHERE subject LIKE '%P2026%'");
    expect(raw.rowCount).toBe(0);
  });
});

describe('"Mot de passe oublié ?" with a provisional identifier', () => {
  it('sends a code to the contact on file, then the recovery journey goes on', async () => {
    const b = new TestBrowser(ctx.app);
    const start = await b.submit('/identifiant-provisoire/mot-de-passe-oublie', {
      identifiant: ID,
      birthdate: '25/06/1995',
    });
    expect(start.headers.location).toBe('/mot-de-passe-oublie/code');
    const mail = required(await lastMessageTo(ctx.pool, 'amadou.diallo@example.fr'), 'mail');
    expect(mail.body).toContain('choisir un nouveau mot de passe');
    const code = await b.submit('/mot-de-passe-oublie/code', { code: codeIn(mail.body) });
    expect(code.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
    const done = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Senegal-Dakar-95',
    });
    expect(done.headers.location).toBe('/mon-compte');
    expect(headerNameOf((await b.get('/mon-compte')).body)).toBe('Amadou DIALLO');
    // Back to the demo password for the other tests.
    await ctx.deps.pool.query('UPDATE accounts SET password_hash = $2 WHERE person_id = $1', [
      await personIdOf(ID),
      await ctx.deps.hasher.hash(PASSWORD),
    ]);
  });

  it('answers an unknown identifier or a wrong birth date the same way, sending nothing', async () => {
    await waitForDelivery(ctx.pool);
    const before = await ctx.pool.query('SELECT count(*)::int AS n FROM dev_outbox');
    for (const [identifiant, birthdate] of [
      ['P2026999999', '25/06/1995'],
      [ID, '26/06/1995'],
    ] as const) {
      const res = await new TestBrowser(ctx.app).submit(
        '/identifiant-provisoire/mot-de-passe-oublie',
        {
          identifiant,
          birthdate,
        },
      );
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/mot-de-passe-oublie/code');
    }
    await waitForDelivery(ctx.pool);
    const after = await ctx.pool.query('SELECT count(*)::int AS n FROM dev_outbox');
    expect(after.rows).toEqual(before.rows);
  });

  it('explains bad input by the field', async () => {
    const res = await new TestBrowser(ctx.app).submit(
      '/identifiant-provisoire/mot-de-passe-oublie',
      {
        identifiant: 'abc',
        birthdate: '31/02/1995',
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="identifiant-error">[^<]*lettre P/);
    expect(res.body).toMatch(/id="birthdate-error">[^<]*date de naissance valide/);
  });
});

describe('assignNir: the Caf assigns a NIR to a person with a provisional identifier', () => {
  it('refuses a NIR that does not fit the person, belongs to someone else, or is malformed', async () => {
    const id = await personIdOf(ID);
    const woman = makeNir({
      sex: 2,
      birthYear: 1995,
      birthMonth: 6,
      department: '99',
      commune: '341',
      order: 17,
    }).value;
    const wrongMonth = makeNir({
      sex: 1,
      birthYear: 1995,
      birthMonth: 7,
      department: '99',
      commune: '341',
      order: 17,
    }).value;
    const camille = required(demo('allocataire-migre').nir, 'nir');
    expect(await assignNir(ctx.deps, id, woman)).toEqual({
      ok: false,
      reason: 'identity-mismatch',
    });
    expect(await assignNir(ctx.deps, id, wrongMonth)).toEqual({
      ok: false,
      reason: 'identity-mismatch',
    });
    expect(await assignNir(ctx.deps, id, camille)).toEqual({
      ok: false,
      reason: 'identity-mismatch',
    });
    expect(await assignNir(ctx.deps, id, '7950699341017')).toEqual({
      ok: false,
      reason: 'temporary',
    });
    expect(await assignNir(ctx.deps, id, '12345')).toEqual({ ok: false, reason: 'length' });
    expect(await assignNir(ctx.deps, '00000000-0000-4000-8000-000000000000', AMADOU_NIR)).toEqual({
      ok: false,
      reason: 'unknown-person',
    });
    // Someone else already holds a NIR that would fit Amadou.
    await ctx.pool.query(
      `INSERT INTO persons (nir, given_name, family_name, sex, birthdate)
       VALUES ($1, 'Moussa', 'Sow', 1, '1995-06-02')`,
      [AMADOU_NIR.slice(0, 10) + '999'],
    );
    expect(await assignNir(ctx.deps, id, AMADOU_NIR.slice(0, 10) + '999')).toEqual({
      ok: false,
      reason: 'nir-taken',
    });
    const still = await ctx.pool.query('SELECT nir, provisional_id FROM persons WHERE id = $1', [
      id,
    ]);
    expect(still.rows[0]).toEqual({ nir: null, provisional_id: ID });
  });

  it('re-keys the same person: account, sessions and access log stay; the NIR logs in, the identifier no longer does', async () => {
    const id = await personIdOf(ID);
    const open = new TestBrowser(ctx.app);
    await loginWithId(open, ID, PASSWORD);
    expect((await open.get('/mon-compte')).statusCode).toBe(200);
    const account = await ctx.pool.query('SELECT * FROM accounts WHERE person_id = $1', [id]);
    const logged = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM access_log WHERE person_id = $1',
      [id],
    );
    expect(logged.rows[0]?.n).toBeGreaterThan(0);

    const result = await assignNir(ctx.deps, id, AMADOU_NIR);
    expect(result.ok).toBe(true);

    const person = await ctx.pool.query(
      'SELECT id, nir, provisional_id FROM persons WHERE id = $1',
      [id],
    );
    expect(person.rows[0]).toEqual({ id, nir: AMADOU_NIR, provisional_id: null });
    expect(
      (await ctx.pool.query('SELECT * FROM accounts WHERE person_id = $1', [id])).rows,
    ).toEqual(account.rows);
    const kept = await ctx.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM access_log WHERE person_id = $1',
      [id],
    );
    expect(kept.rows[0]?.n).toBeGreaterThanOrEqual(logged.rows[0]?.n ?? Infinity);

    // The session opened with the provisional identifier goes on, on the same dossier.
    const page = await open.get('/mon-compte');
    expect(page.statusCode).toBe(200);
    expect(headerNameOf(page.body)).toBe('Amadou DIALLO');
    expect(page.body).toContain('Numéro allocataire 4567890');
    expect(page.body).not.toContain(ID);

    const byId = await loginWithId(new TestBrowser(ctx.app), ID, PASSWORD);
    expect(byId.statusCode).toBe(401);
    const b = new TestBrowser(ctx.app);
    const byNir = await b.login(AMADOU_NIR, PASSWORD);
    expect(byNir.headers.location).toBe('/mon-compte');
    const mine = await b.get('/mon-compte');
    expect(headerNameOf(mine.body)).toBe('Amadou DIALLO');
    expect(mine.body).toContain('Numéro allocataire 4567890');

    const notice = required(await lastMessageTo(ctx.pool, 'amadou.diallo@example.fr'), 'notice');
    expect(notice.subject).toBe('Connectez-vous désormais avec votre numéro de sécurité sociale');

    expect(await assignNir(ctx.deps, id, AMADOU_NIR)).toEqual({
      ok: false,
      reason: 'already-has-nir',
    });
  });
});

describe('npm run agent -- attribuer-nir', () => {
  const run = promisify(execFile);
  const cli = (args: string[]) =>
    run(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['src/agent/cli.ts', ...args], {
      cwd: projectRoot,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: ctx.db.url,
        SESSION_KEYS: TEST_SESSION_KEY,
        SMTP_URL: ctx.db.smtpUrl,
      },
    }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: unknown) => ({
        code: typeof e === 'object' && e && 'code' in e ? e.code : -1,
        stderr: typeof e === 'object' && e && 'stderr' in e ? String(e.stderr) : '',
      }),
    );

  it('re-keys a person from the command line, and refuses with a French reason', async () => {
    await ctx.pool.query(
      `INSERT INTO persons (provisional_id, given_name, family_name, sex, birthdate)
       VALUES ('P2026000077', 'Fatou', 'Ndiaye', 2, '1988-03-09')`,
    );
    const nir = makeNir({
      sex: 2,
      birthYear: 1988,
      birthMonth: 3,
      department: '99',
      commune: '341',
      order: 77,
    }).value;
    expect((await cli(['attribuer-nir', '--identifiant', 'P2026000077'])).code).toBe(2);
    const mismatch = await cli([
      'attribuer-nir',
      '--identifiant',
      'P2026000077',
      '--nir',
      AMADOU_NIR,
    ]);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('ne correspond pas à la personne');
    const done = await cli(['attribuer-nir', '--identifiant', 'P2026000077', '--nir', nir]);
    expect(done.stderr).toContain('Numéro de sécurité sociale enregistré pour Fatou NDIAYE');
    expect(done.code).toBe(0);
    const row = await ctx.pool.query(
      "SELECT nir, provisional_id FROM persons WHERE given_name = 'Fatou'",
    );
    expect(row.rows[0]).toEqual({ nir, provisional_id: null });
  });
});

describe('throttling of provisional-identifier logins (own database and clock)', () => {
  let tdb: TestDatabase;
  let app: TestApp;
  let clock = Date.parse('2026-11-22T09:00:00Z');
  const later = (ms: number) => {
    clock += ms;
  };

  beforeAll(async () => {
    tdb = await createTestDatabase();
    app = await createTestApp(tdb, {}, { now: () => new Date(clock) });
  });
  afterAll(async () => {
    await app.app.close();
    await tdb.drop();
  });

  it('locks an identifier after 10 wrong passwords, refuses even the right one, and sends a notice', async () => {
    for (let i = 0; i < 10; i++) {
      later(60_000);
      let res = await loginWithId(new TestBrowser(app.app), ID, `Mauvais-Mot-${i}`);
      while (res.statusCode === 429 && res.body.includes('réessayez à partir de')) {
        later(30_000);
        res = await loginWithId(new TestBrowser(app.app), ID, `Mauvais-Mot-${i}`);
      }
      expect(res.statusCode).toBe(401);
    }
    later(60_000);
    const right = await loginWithId(new TestBrowser(app.app), ID, PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(right.body).toContain('Trop de tentatives.');
    const notice = required(await lastMessageTo(tdb.pool, 'amadou.diallo@example.fr'), 'notice');
    expect(notice.subject).toBe('Connexion à Mon Compte temporairement bloquée');
    later(61 * 60_000);
    expect((await loginWithId(new TestBrowser(app.app), ID, PASSWORD)).statusCode).toBe(303);
  });

  it('delays an unknown identifier exactly like a known one', async () => {
    later(2 * 3_600_000);
    const answers: number[] = [];
    for (const id of [ID, 'P2026123456']) {
      for (let i = 0; i < 5; i++) await loginWithId(new TestBrowser(app.app), id, `Faux-${i}`);
      answers.push((await loginWithId(new TestBrowser(app.app), id, 'Faux-6')).statusCode);
    }
    expect(answers).toEqual([429, 429]);
  });

  it('slows down one address trying many identifiers', async () => {
    later(2 * 3_600_000);
    for (let i = 0; i < 50; i++) {
      const id = `P2026${String(500000 + i)}`;
      expect((await loginWithId(new TestBrowser(app.app), id, 'Pulverisation-1')).statusCode).toBe(
        401,
      );
    }
    const next = await loginWithId(new TestBrowser(app.app), ID, PASSWORD);
    expect(next.statusCode).toBe(429);
    later(1_000);
    expect((await loginWithId(new TestBrowser(app.app), ID, PASSWORD)).statusCode).toBe(303);
  });
});
