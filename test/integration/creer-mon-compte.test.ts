import { describe, expect, it, vi } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { CREATION_ANSWER_MS, CREATION_JOURNEY_MS } from '#src/services/primo-demandeur.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, headerNameOf, type Reply } from '../support/browser.ts';
import { codeIn, lastMessageTo, waitForDelivery } from '../support/outbox.ts';
import { demo, required } from '../support/personas.ts';

// The services' clock, moved by the tests (journey lifetime, throttling delays).
let clock = Date.now();
const later = (ms: number) => {
  clock += ms;
};

const ctx = useTestApp({}, { now: () => new Date(clock) });

let order = 400;
/** A NIR nobody holds, for a man or a woman born in the given year and month. */
function freshNir(sex: 1 | 2, year: number, month: number): string {
  order += 1;
  return makeNir({
    sex,
    birthYear: year,
    birthMonth: month,
    department: '33',
    commune: '063',
    order,
  }).value;
}

interface Identity {
  nir: string;
  nomNaissance: string;
  prenoms: string;
  dateNaissance: string;
}

async function identityStep(b: TestBrowser, identity: Identity): Promise<Reply> {
  return b.submit('/creer-mon-compte', { ...identity });
}

/** The contact step, timed from the POST alone. */
async function contactStep(
  b: TestBrowser,
  form: Record<string, string>,
): Promise<{ res: Reply; ms: number }> {
  const page = await b.get('/creer-mon-compte/coordonnees');
  const started = performance.now();
  const res = await b.post('/creer-mon-compte/coordonnees', {
    _csrf: csrfTokenOf(page.body),
    ...form,
  });
  return { res, ms: performance.now() - started };
}

const strip = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/value="[^"]*"/g, '');
const cookieShape = (res: Reply) => res.cookies.map((c) => [c.name, c.value.length]);

async function outboxCount(): Promise<number> {
  await waitForDelivery(ctx.pool);
  const r = await ctx.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dev_outbox');
  return r.rows[0]?.n ?? -1;
}

describe('GET /creer-mon-compte', () => {
  it('is linked from /connexion and asks for NIR, birth name, given names and birth date', async () => {
    const b = new TestBrowser(ctx.app);
    expect((await b.get('/connexion')).body).toContain('href="/creer-mon-compte"');
    const page = await b.get('/creer-mon-compte');
    expect(page.statusCode).toBe(200);
    for (const label of [
      'Numéro de sécurité sociale',
      'Nom de naissance',
      'Prénoms',
      'Date de naissance',
    ])
      expect(page.body).toContain(`">${label}`);
    expect(page.body).toContain('Étape 1 sur 3');
    expect(page.body).not.toContain('prochainement');
  });

  it('sends the later steps back to the start without a journey', async () => {
    const b = new TestBrowser(ctx.app);
    for (const url of [
      '/creer-mon-compte/coordonnees',
      '/creer-mon-compte/code',
      '/creer-mon-compte/mot-de-passe',
    ]) {
      const res = await b.get(url);
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/creer-mon-compte');
    }
  });
});

describe('POST /creer-mon-compte: the identity must fit the NIR', () => {
  const nir = freshNir(2, 1990, 4);
  const valid = { nir, nomNaissance: 'Durand', prenoms: 'Pauline', dateNaissance: '12/04/1990' };

  it.each([
    ['year', { dateNaissance: '12/04/1991' }, 'L’année de naissance ne correspond pas'],
    ['month', { dateNaissance: '12/05/1990' }, 'Le mois de naissance ne correspond pas'],
  ])(
    'says by the birth-date field when the %s differs from the NIR',
    async (_, change, message) => {
      const res = await identityStep(new TestBrowser(ctx.app), { ...valid, ...change });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('id="error-summary"');
      expect(res.body).toContain('href="#dateNaissance"');
      expect(res.body).toMatch(new RegExp(`id="dateNaissance-error">${message}`));
      expect(res.body).toContain('value="Durand"');
    },
  );

  it('refuses a person under 15, and explains why', async () => {
    const young = freshNir(1, 2015, 3);
    const res = await identityStep(new TestBrowser(ctx.app), {
      nir: young,
      nomNaissance: 'Durand',
      prenoms: 'Louis',
      dateNaissance: '02/03/2015',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="dateNaissance-error">Il faut avoir 15 ans ou plus/);
  });

  it('explains every missing or malformed field, never a 500', async () => {
    const empty = await new TestBrowser(ctx.app).submit('/creer-mon-compte', {});
    expect(empty.statusCode).toBe(400);
    for (const message of [
      'Saisissez votre numéro de sécurité sociale.',
      'Saisissez votre nom de naissance.',
      'Saisissez votre ou vos prénoms.',
      'Saisissez votre date de naissance.',
    ])
      expect(empty.body).toContain(message);
    const bad = await identityStep(new TestBrowser(ctx.app), {
      nir: '7900433063401',
      nomNaissance: 'Dur4nd',
      prenoms: '<script>',
      dateNaissance: '31/02/1990',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/id="nir-error">[^<]*identifiant provisoire/);
    expect(bad.body).toMatch(/id="nomNaissance-error">Le nom de naissance ne peut contenir que/);
    expect(bad.body).toMatch(/id="prenoms-error">Les prénoms ne peuvent contenir que/);
    expect(bad.body).toMatch(/id="dateNaissance-error">Saisissez une date de naissance valide/);
    expect(bad.body).not.toContain('<script>');
  });

  it('refuses a POST without the CSRF token', async () => {
    const b = new TestBrowser(ctx.app);
    await b.get('/creer-mon-compte');
    expect((await b.post('/creer-mon-compte', valid)).statusCode).toBe(403);
  });
});

describe('a NIR nobody holds: the person gets an account with no dossier', () => {
  it('validates the contact by code, sets the password and lands on Mon Compte', async () => {
    const nir = freshNir(1, 1998, 9);
    const b = new TestBrowser(ctx.app);
    const first = await identityStep(b, {
      nir: nir.replace(/^(.)(..)(..)/, '$1 $2 $3 '),
      nomNaissance: 'Moreau',
      prenoms: 'Lucas  Paul',
      dateNaissance: '03/09/1998',
    });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/creer-mon-compte/coordonnees');
    expect((await ctx.pool.query('SELECT 1 FROM persons WHERE nir = $1', [nir])).rowCount).toBe(0);

    const { res: sent } = await contactStep(b, {
      channel: 'email',
      email: 'Lucas.Moreau@example.fr',
    });
    expect(sent.headers.location).toBe('/creer-mon-compte/code');
    const codePage = await b.get('/creer-mon-compte/code');
    expect(codePage.body).toContain('Si vous pouvez créer un compte, vous allez recevoir un code');
    expect(codePage.body).toContain('lucas.moreau@example.fr');
    const mail = required(await lastMessageTo(ctx.pool, 'lucas.moreau@example.fr'), 'code');
    expect(mail.body).toContain('valider vos coordonnées');
    const code = codeIn(mail.body);

    // No account and no shortcut before the code and the password.
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
    expect((await b.get('/creer-mon-compte/mot-de-passe')).headers.location).toBe(
      '/creer-mon-compte',
    );
    const wrong = await b.submit('/creer-mon-compte/code', {
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Code incorrect ou expiré.');
    const ok = await b.submit('/creer-mon-compte/code', { code });
    expect(ok.headers.location).toBe('/creer-mon-compte/mot-de-passe');

    const weak = await b.submit('/creer-mon-compte/mot-de-passe', { password: 'lucas1998' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/id="password-error">[^<]*au moins 1 lettre majuscule/);
    const done = await b.submit('/creer-mon-compte/mot-de-passe', {
      password: 'Gironde-Moreau-98',
    });
    expect(done.headers.location).toBe('/mon-compte');

    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Lucas Paul MOREAU');
    expect(page.body).toContain('data-confirmation="compte-cree"');
    expect(page.body).toContain('Vous n’avez pas encore de dossier à la Caf');
    expect(page.body).toContain(
      // Issue 8: the main button opens a real page, no longer an anchor on this one.
      'href="/demande-de-prestation">Faire une demande de prestation</a>',
    );
    expect(page.body).toContain('id="demande-de-prestation"');

    const person = await ctx.pool.query<{
      id: string;
      sex: number;
      birthdate: string;
      birth_name: string;
      email: string;
      email_verified_at: Date | null;
      self_registered_at: Date | null;
    }>(
      'SELECT id, sex, birthdate, birth_name, email, email_verified_at, self_registered_at FROM persons WHERE nir = $1',
      [nir],
    );
    const row = required(person.rows[0], 'person');
    expect(row).toMatchObject({
      sex: 1,
      birthdate: '1998-09-03',
      birth_name: 'Moreau',
      email: 'lucas.moreau@example.fr',
    });
    expect(row.email_verified_at).toBeInstanceOf(Date);
    expect(row.self_registered_at).toBeInstanceOf(Date);
    const member = await ctx.pool.query('SELECT 1 FROM dossier_members WHERE person_id = $1', [
      row.id,
    ]);
    expect(member.rowCount).toBe(0);

    // From now on, a normal login; and the NIR is "already known" to this journey.
    const again = new TestBrowser(ctx.app);
    expect((await again.login(nir, 'Gironde-Moreau-98')).headers.location).toBe('/mon-compte');
  });

  it('shows the primo-demandeuse of the demo set the request button too', async () => {
    const ines = demo('primo-demandeur');
    const b = new TestBrowser(ctx.app);
    await b.login(required(ines.nir, 'nir'), required(ines.password, 'password'));
    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Inès BENALI');
    expect(page.body).toContain('Faire une demande de prestation</a>');
  });
});

describe('a NIR the Caf already knows: the same pages, no account, a notice to its holder', () => {
  /** Runs the journey up to the code page with the given NIR, the same contact every time. */
  async function attempt(identity: Identity) {
    const b = new TestBrowser(ctx.app);
    const step1 = await identityStep(b, identity);
    expect(step1.statusCode).toBe(303);
    const step2 = await contactStep(b, { channel: 'email', email: 'essai@example.org' });
    const codePage = await b.get('/creer-mon-compte/code');
    return { b, step1, step2: step2.res, ms: step2.ms, codePage };
  }

  const camille = demo('allocataire-migre');
  const nathalie = demo('allocataire-non-migre');

  it('answers the holder of an account exactly like a new NIR, and tells the holder', async () => {
    const unknown = await attempt({
      nir: freshNir(2, 1985, 3),
      nomNaissance: 'Durand',
      prenoms: 'Pauline',
      dateNaissance: '12/03/1985',
    });
    const known = await attempt({
      nir: required(camille.nir, 'nir'),
      nomNaissance: 'Durand',
      prenoms: 'Pauline',
      dateNaissance: '12/03/1985',
    });
    for (const step of ['step1', 'step2'] as const) {
      expect(known[step].statusCode).toBe(unknown[step].statusCode);
      expect(known[step].headers.location).toBe(unknown[step].headers.location);
      expect(strip(known[step].body)).toBe(strip(unknown[step].body));
      expect(cookieShape(known[step])).toEqual(cookieShape(unknown[step]));
    }
    expect(known.step2.headers.location).toBe('/creer-mon-compte/code');
    expect(known.codePage.statusCode).toBe(200);
    expect(strip(known.codePage.body)).toBe(strip(unknown.codePage.body));
    // Both answers take the same floor time, longer than either branch's own work.
    expect(unknown.ms).toBeGreaterThanOrEqual(CREATION_ANSWER_MS - 5);
    expect(known.ms).toBeGreaterThanOrEqual(CREATION_ANSWER_MS - 5);

    const notice = required(await lastMessageTo(ctx.pool, 'camille.martin@example.fr'), 'notice');
    expect(notice.subject).toBe(
      'Tentative de création de compte avec votre numéro de sécurité sociale',
    );
    expect(notice.body).toContain(
      'Quelqu’un a tenté de créer un compte Mon Compte avec votre numéro de sécurité sociale',
    );
    expect(notice.body).toContain('vous avez déjà un compte');
    expect(notice.body).not.toContain('essai@example.org');

    // No code can open the journey for the known NIR.
    const tried = await known.b.submit('/creer-mon-compte/code', { code: '123456' });
    expect(tried.statusCode).toBe(400);
    expect(tried.body).toContain('Code incorrect ou expiré.');
    expect((await known.b.get('/creer-mon-compte/mot-de-passe')).headers.location).toBe(
      '/creer-mon-compte',
    );
    const names = await ctx.pool.query('SELECT given_name FROM persons WHERE nir = $1', [
      camille.nir,
    ]);
    expect(names.rows).toEqual([{ given_name: 'Camille' }]);
  });

  it('does not let a dossier member without an account skip the first connection', async () => {
    const before = await ctx.pool.query('SELECT * FROM persons WHERE nir = $1', [nathalie.nir]);
    const toTyped = async () => {
      await waitForDelivery(ctx.pool);
      return (
        await ctx.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = 'essai@example.org'",
        )
      ).rows[0]?.n;
    };
    const typedBefore = await toTyped();
    const known = await attempt({
      nir: required(nathalie.nir, 'nir'),
      nomNaissance: 'Dubois',
      prenoms: 'Nathalie',
      dateNaissance: '21/07/1979',
    });
    expect(known.step2.headers.location).toBe('/creer-mon-compte/code');
    expect(known.codePage.body).toContain('Si vous pouvez créer un compte');
    const notice = required(await lastMessageTo(ctx.pool, 'nathalie.dubois@example.fr'), 'notice');
    expect(notice.subject).toBe(
      'Tentative de création de compte avec votre numéro de sécurité sociale',
    );
    expect(notice.body).toContain('ancien mot de passe Caf à 8 chiffres');
    // Nothing to the contact typed: no code, since no account can be created.
    expect(await toTyped()).toEqual(typedBefore);
    const account = await ctx.pool.query(
      'SELECT 1 FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.nir = $1',
      [nathalie.nir],
    );
    expect(account.rowCount).toBe(0);
    expect(
      (await ctx.pool.query('SELECT * FROM persons WHERE nir = $1', [nathalie.nir])).rows,
    ).toEqual(before.rows);
    // Her way in is unchanged: the old dossier password, then the first-connection steps.
    const first = await new TestBrowser(ctx.app).login(
      required(nathalie.nir, 'nir'),
      required(nathalie.legacyPassword, 'legacy'),
    );
    expect(first.headers.location).toBe('/premiere-connexion');
  });

  it('sends nothing at all for a member with no contact on file, and still answers alike', async () => {
    const lea = demo('enfant-16');
    const count = await outboxCount();
    const known = await attempt({
      nir: required(lea.nir, 'nir'),
      nomNaissance: 'Martin',
      prenoms: 'Léa',
      dateNaissance: '14/05/2010',
    });
    expect(known.step2.headers.location).toBe('/creer-mon-compte/code');
    expect(await outboxCount()).toBe(count);
  });

  it('answers alike even when no message can leave (provider down, channel unavailable)', async () => {
    const send = vi.spyOn(ctx.deps.notifier, 'send').mockRejectedValue(new Error('en panne'));
    try {
      const unknown = await attempt({
        nir: freshNir(1, 1981, 2),
        nomNaissance: 'Blanc',
        prenoms: 'Hugo',
        dateNaissance: '07/02/1981',
      });
      const known = await attempt({
        nir: required(camille.nir, 'nir'),
        nomNaissance: 'Blanc',
        prenoms: 'Hugo',
        dateNaissance: '07/03/1985',
      });
      expect(send).toHaveBeenCalledTimes(2);
      expect([unknown.step2.statusCode, known.step2.statusCode]).toEqual([303, 303]);
      expect(known.step2.headers.location).toBe(unknown.step2.headers.location);
      expect(strip(known.codePage.body)).toBe(strip(unknown.codePage.body));
    } finally {
      send.mockRestore();
    }
  });

  it('throttles repeated requests for one NIR alike, known or not', async () => {
    later(2 * 3_600_000);
    const statuses = async (identity: Identity) => {
      const b = new TestBrowser(ctx.app);
      await identityStep(b, identity);
      const out: number[] = [];
      for (let i = 0; i < 4; i++)
        out.push(
          (await contactStep(b, { channel: 'email', email: 'essai@example.org' })).res.statusCode,
        );
      return out;
    };
    const fresh = await statuses({
      nir: freshNir(1, 1970, 1),
      nomNaissance: 'Roux',
      prenoms: 'Marc',
      dateNaissance: '05/01/1970',
    });
    const julien = demo('conjoint-sans-delegation');
    const known = await statuses({
      nir: required(julien.nir, 'nir'),
      nomNaissance: 'Roux',
      prenoms: 'Marc',
      dateNaissance: '02/11/1983',
    });
    expect(fresh).toEqual([303, 303, 303, 429]);
    expect(known).toEqual(fresh);
  });
});

describe('an attempt under way, then abandoned', () => {
  it('blocks a second attempt on the same NIR while under way, then lets a new one take over', async () => {
    later(2 * 3_600_000);
    const nir = freshNir(2, 1993, 11);
    const identity = { nir, nomNaissance: 'Petit', prenoms: 'Emma', dateNaissance: '08/11/1993' };
    const first = new TestBrowser(ctx.app);
    await identityStep(first, identity);
    await contactStep(first, { channel: 'email', email: 'premiere@example.org' });
    expect(required(await lastMessageTo(ctx.pool, 'premiere@example.org'), 'code').subject).toBe(
      'Votre code Mon Compte',
    );

    const second = new TestBrowser(ctx.app);
    await identityStep(second, { ...identity, prenoms: 'Emma Rose' });
    const blocked = await contactStep(second, { channel: 'email', email: 'seconde@example.org' });
    expect(blocked.res.headers.location).toBe('/creer-mon-compte/code');
    expect(await lastMessageTo(ctx.pool, 'seconde@example.org')).toBeNull();

    // The first journey expires unfinished; a new attempt takes the row over.
    later(CREATION_JOURNEY_MS + 60_000);
    expect((await first.get('/creer-mon-compte/code')).headers.location).toBe('/creer-mon-compte');
    const third = new TestBrowser(ctx.app);
    await identityStep(third, { ...identity, prenoms: 'Emma Rose' });
    await contactStep(third, { channel: 'sms', phone: '07 98 76 54 32' });
    const sms = required(await lastMessageTo(ctx.pool, '07 98 76 54 32', 'sms'), 'code');
    await third.submit('/creer-mon-compte/code', { code: codeIn(sms.body) });
    const done = await third.submit('/creer-mon-compte/mot-de-passe', {
      password: 'Novembre-Emma-93',
    });
    expect(done.headers.location).toBe('/mon-compte');
    expect(headerNameOf((await third.get('/mon-compte')).body)).toBe('Emma Rose PETIT');
    const rows = await ctx.pool.query('SELECT given_name, phone FROM persons WHERE nir = $1', [
      nir,
    ]);
    expect(rows.rows).toEqual([{ given_name: 'Emma Rose', phone: '07 98 76 54 32' }]);
  });
});
