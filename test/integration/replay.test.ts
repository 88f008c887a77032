import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { csrfTokenOf } from '../support/browser.ts';
import {
  MultiOriginBrowser,
  pageOf,
  startFranceConnectTestBed,
  type FranceConnectTestBed,
  type Page,
} from '../support/franceconnect.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

/**
 * Issue 13, item 3: every step that consumes a code or a ticket consumes a server-side row in
 * the transaction of its effect. For each such step (a table of journeys), a copy of the cookie
 * taken at the step is replayed after the legitimate request: nothing changes in the database
 * and the answer is a French page; two concurrent submits of the step have exactly one effect.
 */

let db: TestDatabase;
let bed: FranceConnectTestBed;

beforeAll(async () => {
  db = await createTestDatabase();
  bed = await startFranceConnectTestBed(db);
});
afterAll(async () => {
  await bed.close();
  await db.drop();
});

const q = async <T extends object>(sql: string, params: unknown[] = []): Promise<T[]> =>
  (await db.pool.query<T>(sql, params)).rows;

let order = 700;
const frDate = (iso: string) => iso.split('-').reverse().join('/');

/** A person of our own, born 1990-03-14, with an account (password) and a verified e-mail. */
async function newAccountHolder(password = 'Rejeu-Compte-2026') {
  order += 1;
  const nir = makeNir({
    sex: 1,
    birthYear: 1990,
    birthMonth: 3,
    department: '69',
    commune: '123',
    order,
  }).value;
  const email = `rejeu-${String(order)}@example.fr`;
  const [row] = await q<{ id: string }>(
    `INSERT INTO persons (nir, given_name, family_name, sex, birthdate, email, email_verified_at)
     VALUES ($1, 'Rejeu', 'TEST', 1, '1990-03-14', $2, now()) RETURNING id`,
    [nir, email],
  );
  const id = required(row?.id, 'person');
  const hash = await bed.deps.hasher.hash(password);
  await q('INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2)', [id, hash]);
  return { id, nir, email, password, birthdate: '1990-03-14' };
}

/** An allocataire not yet migrated: a dossier with the old 8-digit password, no account. */
async function newLegacyPerson() {
  order += 1;
  const nir = makeNir({
    sex: 2,
    birthYear: 1985,
    birthMonth: 7,
    department: '35',
    commune: '238',
    order,
  }).value;
  const email = `ancien-${String(order)}@example.fr`;
  const [person] = await q<{ id: string }>(
    `INSERT INTO persons (nir, given_name, family_name, sex, birthdate, email)
     VALUES ($1, 'Ancienne', 'TEST', 2, '1985-07-02', $2) RETURNING id`,
    [nir, email],
  );
  const id = required(person?.id, 'person');
  const legacyHash = await bed.deps.hasher.hash('31415926');
  const [dossier] = await q<{ id: string }>(
    `INSERT INTO dossiers (number, address_line1, postcode, city, family_situation, legacy_password_hash)
     VALUES ($1, '1 rue du Test', '35000', 'Rennes', 'celibataire', $2) RETURNING id`,
    [String(9_000_000 + order), legacyHash],
  );
  await q(
    `INSERT INTO dossier_members (dossier_id, person_id, role) VALUES ($1, $2, 'allocataire')`,
    [required(dossier?.id, 'dossier'), id],
  );
  return { id, nir, email, legacyPassword: '31415926' };
}

async function sessionsOf(personId: string) {
  return q<{ h: string; revoked: boolean; strong: Date | null }>(
    `SELECT encode(id_hash, 'hex') AS h, revoked_at IS NOT NULL AS revoked, strong_auth_at AS strong
       FROM sessions WHERE person_id = $1 ORDER BY h`,
    [personId],
  );
}

async function passwordHashOf(personId: string): Promise<string | null> {
  const [row] = await q<{ h: string }>(
    'SELECT password_hash AS h FROM accounts WHERE person_id = $1',
    [personId],
  );
  return row?.h ?? null;
}

async function personIdOfNir(nir: string): Promise<string> {
  const [row] = await q<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [nir]);
  return required(row?.id, `person ${nir}`);
}

async function linksOf(personId: string) {
  return q<{ provider: string; sub: string }>(
    'SELECT provider, sub FROM franceconnect_links WHERE person_id = $1 ORDER BY provider, sub',
    [personId],
  );
}

async function codeFor(email: string): Promise<string> {
  return codeIn(required(await lastMessageTo(db.pool, email, 'email'), `mail to ${email}`).body);
}

/** The consuming request of a step, as a browser at that step would send it. */
interface Step {
  readonly url: string;
  /** Absent for a GET (the FranceConnect callback). */
  readonly form?: Record<string, string>;
  /** What a replay sends instead (another password, as an attacker would). */
  readonly replayForm?: Record<string, string>;
}

interface Journey {
  readonly name: string;
  /** Drives a fresh browser up to the step; `run` picks fixtures so that runs do not meet. */
  readonly reach: (b: MultiOriginBrowser, run: number) => Promise<{ step: Step; subject: string }>;
  /** Where the legitimate request goes on success. */
  readonly success: string;
  /** What the step changes, read from the database, for the person it concerns. */
  readonly effect: (subject: string) => Promise<unknown>;
  /** How many times the step's effect happened (for the concurrent double submit). */
  readonly count?: (subject: string) => Promise<number>;
  /** The answer to a replay: a redirect to this path, or a French page with this status. */
  readonly replay:
    { readonly redirect: string } | { readonly status: number; readonly text: string };
}

/** GETs a page (for its CSRF token) and returns the POST that page's form would send. */
async function formStep(
  b: MultiOriginBrowser,
  page: string,
  fields: Record<string, string>,
  replayFields?: Record<string, string>,
): Promise<Step> {
  const opened = await b.open(page);
  expect(opened.url.pathname, `reached ${page}`).toBe(page);
  const _csrf = csrfTokenOf(opened.body);
  return {
    url: page,
    form: { _csrf, ...fields },
    ...(replayFields ? { replayForm: { _csrf, ...replayFields } } : {}),
  };
}

async function startRecovery(b: MultiOriginBrowser, nir: string, birthdate: string) {
  const page = await b.submit('/mot-de-passe-oublie', { nir, birthdate: frDate(birthdate) });
  expect(page.url.pathname).toBe('/mot-de-passe-oublie/code');
}

async function legacyLogin(b: MultiOriginBrowser, p: { nir: string; legacyPassword: string }) {
  const page = await b.submit('/connexion', { nir: p.nir, password: p.legacyPassword });
  expect(page.url.pathname).toBe('/premiere-connexion');
}

const sessionCount = async (personId: string) => (await sessionsOf(personId)).length;

/** A fresh NIR for "Créer mon compte", born 2001-09. */
function creationNir(): string {
  order += 1;
  return makeNir({
    sex: 2,
    birthYear: 2001,
    birthMonth: 9,
    department: '13',
    commune: '055',
    order,
  }).value;
}

async function creationUpToCode(b: MultiOriginBrowser, nir: string, email: string) {
  await b.submit('/creer-mon-compte', {
    nir,
    nomNaissance: 'Rejeu',
    prenoms: 'Alice',
    dateNaissance: '12/09/2001',
  });
  const code = await b.submit('/creer-mon-compte/coordonnees', { channel: 'email', email });
  expect(code.url.pathname).toBe('/creer-mon-compte/code');
}

/** FranceConnect identities of the development provider that match a demo persona with an account. */
const toLink = [
  { identity: 'sophie-leroy', persona: 'allocataire-leroy' },
  { identity: 'antoine-leroy', persona: 'conjoint-avec-delegation' },
];

async function stopBeforeCallback(b: MultiOriginBrowser, identity: string): Promise<URL> {
  const stop = await b.chooseIdentity(await b.startFranceConnect(), identity, 'normal', true);
  if (!('stopped' in stop)) throw new Error('expected to stop before the callback');
  return stop.stopped;
}

const journeys: Journey[] = [
  {
    name: 'recovery: new password',
    success: '/mon-compte',
    async reach(b) {
      const p = await newAccountHolder();
      await startRecovery(b, p.nir, p.birthdate);
      await b.submit('/mot-de-passe-oublie/code', { code: await codeFor(p.email) });
      const step = await formStep(
        b,
        '/mot-de-passe-oublie/nouveau-mot-de-passe',
        { password: 'Legitime-Nouveau-2026' },
        { password: 'Attaquant-Autre-2026' },
      );
      return { step, subject: p.id };
    },
    effect: async (id) => ({ hash: await passwordHashOf(id), sessions: await sessionsOf(id) }),
    count: sessionCount,
    replay: { redirect: '/mot-de-passe-oublie' },
  },
  {
    name: 'recovery: code',
    success: '/mot-de-passe-oublie/nouveau-mot-de-passe',
    async reach(b) {
      const p = await newAccountHolder();
      await startRecovery(b, p.nir, p.birthdate);
      const step = await formStep(b, '/mot-de-passe-oublie/code', { code: await codeFor(p.email) });
      return { step, subject: p.id };
    },
    effect: async (id) =>
      q('SELECT id, used_at FROM one_time_codes WHERE person_id = $1 ORDER BY id', [id]),
    replay: { status: 400, text: 'Code incorrect ou expiré.' },
  },
  {
    name: 'first connection: personal password',
    success: '/premiere-connexion/coordonnees',
    async reach(b) {
      const p = await newLegacyPerson();
      await legacyLogin(b, p);
      const step = await formStep(
        b,
        '/premiere-connexion',
        { password: 'Legitime-Premiere-2026' },
        { password: 'Attaquant-Premiere-2026' },
      );
      return { step, subject: p.id };
    },
    effect: passwordHashOf,
    replay: { redirect: '/premiere-connexion/coordonnees' },
  },
  {
    name: 'first connection: contact code',
    success: '/mon-compte',
    async reach(b) {
      const p = await newLegacyPerson();
      await legacyLogin(b, p);
      await b.submit('/premiere-connexion', { password: 'Legitime-Premiere-2026' });
      await b.submit('/premiere-connexion/coordonnees', { channel: 'email', email: p.email });
      const step = await formStep(b, '/premiere-connexion/code', { code: await codeFor(p.email) });
      return { step, subject: p.id };
    },
    effect: async (id) => ({
      sessions: await sessionsOf(id),
      verified: await q('SELECT email_verified_at FROM persons WHERE id = $1', [id]),
    }),
    count: sessionCount,
    replay: { redirect: '/connexion' },
  },
  {
    name: 'activation: invitation code',
    success: '/premiere-connexion',
    async reach(b) {
      const camille = persona('allocataire-migre');
      const lea = demo('enfant-16');
      const leaId = await personIdOfNir(required(lea.nir, 'nir'));
      const parent = new MultiOriginBrowser(bed.origin);
      await parent.submit('/connexion', { nir: camille.nir, password: camille.password });
      await parent.submit(
        '/mon-compte/foyer',
        { membre: leaId, channel: 'email', email: 'lea.martin@example.fr' },
        '/mon-compte/foyer/invitation',
      );
      const mail = required(await lastMessageTo(db.pool, 'lea.martin@example.fr'), 'invitation');
      const code = required(/([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(mail.body)?.[1], 'code');
      const step = await formStep(b, '/activer-mon-compte', {
        nir: required(lea.nir, 'nir'),
        code,
      });
      return { step, subject: leaId };
    },
    effect: async (id) => ({
      invitations: await q(
        'SELECT id, used_at, failed_attempts FROM invitations WHERE person_id = $1',
        [id],
      ),
      flows: await q('SELECT count(*)::int AS n FROM flows WHERE person_id = $1', [id]),
    }),
    replay: { status: 400, text: 'code d’activation incorrect' },
  },
  {
    name: 'account creation: code',
    success: '/creer-mon-compte/mot-de-passe',
    async reach(b) {
      const nir = creationNir();
      const email = `creation-${nir}@example.fr`;
      await creationUpToCode(b, nir, email);
      const step = await formStep(b, '/creer-mon-compte/code', { code: await codeFor(email) });
      return { step, subject: nir };
    },
    effect: async (nir) =>
      q(
        `SELECT c.id, c.used_at FROM one_time_codes c JOIN persons p ON p.id = c.person_id
          WHERE p.nir = $1 ORDER BY c.id`,
        [nir],
      ),
    replay: { status: 400, text: 'Code incorrect ou expiré.' },
  },
  {
    name: 'account creation: password',
    success: '/mon-compte',
    async reach(b) {
      const nir = creationNir();
      const email = `creation-${nir}@example.fr`;
      await creationUpToCode(b, nir, email);
      await b.submit('/creer-mon-compte/code', { code: await codeFor(email) });
      const step = await formStep(
        b,
        '/creer-mon-compte/mot-de-passe',
        { password: 'Legitime-Creation-2026' },
        { password: 'Attaquant-Creation-2026' },
      );
      return { step, subject: await personIdOfNir(nir) };
    },
    effect: async (id) => ({ hash: await passwordHashOf(id), sessions: await sessionsOf(id) }),
    count: sessionCount,
    replay: { redirect: '/creer-mon-compte' },
  },
  {
    name: 'FranceConnect: callback of a linked identity',
    success: '/mon-compte',
    async reach(b) {
      const camille = persona('allocataire-migre');
      const id = await personIdOfNir(camille.nir);
      if ((await linksOf(id)).length === 0) {
        const first = new MultiOriginBrowser(bed.origin);
        await first.loginWithFranceConnect('camille-martin');
        await first.submit('/franceconnect/liaison', { password: camille.password });
      }
      return { step: { url: (await stopBeforeCallback(b, 'camille-martin')).href }, subject: id };
    },
    effect: sessionsOf,
    count: sessionCount,
    // Issue 8: the outcome is shown at a clean address (no ?code= left in the address bar).
    replay: { redirect: '/franceconnect/resultat' },
  },
  {
    name: 'FranceConnect: link confirmed by password',
    success: '/mon-compte',
    async reach(b, run) {
      const match = required(toLink[run], 'identity to link');
      const p = persona(match.persona);
      await b.loginWithFranceConnect(match.identity);
      const step = await formStep(b, '/franceconnect/liaison', { password: p.password });
      return { step, subject: await personIdOfNir(p.nir) };
    },
    effect: async (id) => ({ links: await linksOf(id), sessions: await sessionsOf(id) }),
    count: sessionCount,
    replay: { redirect: '/connexion' },
  },
  {
    name: 'strong authentication: code',
    success: '/mon-compte/coordonnees-bancaires',
    async reach(b) {
      const p = await newAccountHolder();
      await b.submit('/connexion', { nir: p.nir, password: p.password });
      const home = await b.open('/mon-compte');
      const code = await b.open('/mon-compte/coordonnees-bancaires/verification', {
        form: { _csrf: csrfTokenOf(home.body), password: p.password },
      });
      expect(code.url.pathname).toBe('/mon-compte/coordonnees-bancaires/code');
      const step = await formStep(b, '/mon-compte/coordonnees-bancaires/code', {
        code: await codeFor(p.email),
      });
      return { step, subject: p.id };
    },
    effect: sessionsOf,
    count: async (id) => (await sessionsOf(id)).filter((s) => s.strong !== null).length,
    replay: { redirect: '/mon-compte/coordonnees-bancaires' },
  },
  {
    name: 'bank details: change after strong authentication',
    success: '/mon-compte/coordonnees-bancaires/enregistrees',
    async reach(b) {
      const marie = persona('foyer-sans-lien');
      await b.submit('/connexion', { nir: marie.nir, password: marie.password });
      await b.submit(
        '/mon-compte/coordonnees-bancaires',
        { password: marie.password },
        '/mon-compte/coordonnees-bancaires/verification',
      );
      await b.submit('/mon-compte/coordonnees-bancaires/code', {
        code: await codeFor(required(marie.email, 'e-mail')),
      });
      const page = await b.open('/mon-compte/coordonnees-bancaires');
      const demande = required(
        /name="demande" value="([^"]+)"/.exec(page.body)?.[1],
        'the bank details form',
      );
      const _csrf = csrfTokenOf(page.body);
      const step: Step = {
        url: '/mon-compte/coordonnees-bancaires',
        form: { _csrf, demande, iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' },
        replayForm: { _csrf, demande, iban: 'FR7630004000031234567890143', bic: 'BDFEFRPPCCT' },
      };
      return { step, subject: await personIdOfNir(marie.nir) };
    },
    effect: async (id) =>
      q(
        `SELECT d.iban, d.bic, (SELECT count(*)::int FROM bank_details_changes c
                                 WHERE c.dossier_id = d.id) AS changes
           FROM dossiers d JOIN dossier_members m ON m.dossier_id = d.id
          WHERE m.person_id = $1`,
        [id],
      ),
    count: async (id) => {
      const [row] = await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM bank_details_changes c
           JOIN dossier_members m ON m.dossier_id = c.dossier_id WHERE m.person_id = $1`,
        [id],
      );
      return row?.n ?? 0;
    },
    replay: { redirect: '/mon-compte/coordonnees-bancaires/enregistrees' },
  },
];

async function send(b: MultiOriginBrowser, step: Step, replay = false): Promise<Page> {
  const url = new URL(step.url, bed.origin);
  const form = replay ? (step.replayForm ?? step.form) : step.form;
  return b.request(url, form ? { form } : {});
}

function locationOf(page: Page): string | null {
  const location = page.headers.get('location');
  return location ? new URL(location, bed.origin).pathname : null;
}

describe('a copy of the cookie at a consuming step, replayed after the legitimate request', () => {
  it.each(journeys)('$name: changes nothing and gets a French answer', async (journey) => {
    const b = new MultiOriginBrowser(bed.origin);
    const { step, subject } = await journey.reach(b, 0);
    const copy = b.clone();

    const before = await journey.effect(subject);
    const legitimate = await send(b, step);
    expect(legitimate.status).toBe(303);
    expect(locationOf(legitimate)).toBe(journey.success);
    const after = await journey.effect(subject);
    expect(after, 'the legitimate step has an effect').not.toEqual(before);

    const replayed = await send(copy, step, true);
    expect(await journey.effect(subject), 'the replay changed the database').toEqual(after);
    let answer = replayed;
    if ('redirect' in journey.replay) {
      expect(replayed.status).toBe(303);
      expect(locationOf(replayed)).toBe(journey.replay.redirect);
      answer = pageOf(await copy.go(required(replayed.headers.get('location'), 'location')));
    } else {
      expect(replayed.status).toBe(journey.replay.status);
      expect(replayed.body).toContain(journey.replay.text);
    }
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).toContain('<html lang="fr"');
    expect(await journey.effect(subject), 'following the answer changed nothing').toEqual(after);
  });
});

describe('the same step submitted twice at once', () => {
  const counted = journeys.filter((j) => j.count);

  it.each(counted)('$name: has exactly one effect', async (journey) => {
    const count = required(journey.count, 'count');
    const b = new MultiOriginBrowser(bed.origin);
    const { step, subject } = await journey.reach(b, 1);
    const twin = b.clone();
    const before = await count(subject);
    const answers = await Promise.all([send(b, step), send(twin, step)]);
    const effects = (await count(subject)) - before;
    console.log(
      `${journey.name}: ${String(effects)} effect(s); answers ${answers
        .map((a) => `${String(a.status)} ${locationOf(a) ?? ''}`)
        .join(', ')}`,
    );
    expect(effects).toBe(1);
    for (const a of answers) expect(a.status).toBeLessThan(500);
    expect(answers.filter((a) => locationOf(a) === journey.success).length).toBeGreaterThan(0);
  });
});
