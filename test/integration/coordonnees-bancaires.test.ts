import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { csrfTokenOf, headerNameOf } from '../support/browser.ts';
import {
  MultiOriginBrowser,
  startFranceConnectTestBed,
  type FranceConnectTestBed,
  type Page,
} from '../support/franceconnect.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { persona } from '../support/personas.ts';

let db: TestDatabase;
let bed: FranceConnectTestBed;
let clockOffsetMs = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  bed = await startFranceConnectTestBed(
    db,
    {},
    { now: () => new Date(Date.now() + clockOffsetMs) },
  );
});
afterAll(async () => {
  await bed.close();
  await db.drop();
});

const PATH = '/mon-compte/coordonnees-bancaires';
const NEW_IBAN = 'FR76 3000 4000 0312 3456 7890 143';

async function ibanOf(dossier: string): Promise<string | null> {
  const r = await db.pool.query<{ iban: string | null }>(
    'SELECT iban FROM dossiers WHERE number = $1',
    [dossier],
  );
  return r.rows[0]?.iban ?? null;
}

async function changesOf(dossier: string): Promise<number> {
  const r = await db.pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM bank_details_changes c JOIN dossiers d ON d.id = c.dossier_id
      WHERE d.number = $1`,
    [dossier],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Links the identity (FranceConnect or FranceConnect+) to its person, landing where asked. */
async function franceConnectLogin(
  b: MultiOriginBrowser,
  identity: string,
  password: string,
  plus: boolean,
): Promise<Page> {
  const page = await b.loginWithFranceConnect(identity, plus);
  if (page.url.pathname !== '/franceconnect/liaison') return page;
  return b.submit('/franceconnect/liaison', { password });
}

async function postBankForm(b: MultiOriginBrowser, form: Record<string, string>): Promise<Page> {
  const page = await b.open(PATH);
  const demande = /name="demande" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  return b.open(PATH, { form: { _csrf: csrfTokenOf(page.body), demande, ...form } });
}

describe('Modifier mes coordonnées bancaires', () => {
  it('is linked from Mon Compte only where the access matrix allows it', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    const home = await b.submit('/connexion', { nir: camille.nir, password: camille.password });
    expect(home.body).toContain('Modifier mes coordonnées bancaires');
    const julien = persona('conjoint-sans-delegation');
    const other = new MultiOriginBrowser(bed.origin);
    const page = await other.submit('/connexion', { nir: julien.nir, password: julien.password });
    expect(headerNameOf(page.body)).toBe('Julien MARTIN');
    expect(page.body).not.toContain('Modifier mes coordonnées bancaires');
    const refused = await other.open(PATH);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Modification non autorisée');
  });

  it('asks for FranceConnect+ after a plain FranceConnect login, and refuses the change', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    const home = await franceConnectLogin(b, 'camille-martin', camille.password, false);
    expect(headerNameOf(home.body)).toBe('Camille MARTIN');
    const page = await b.open(PATH);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Confirmer votre identité');
    expect(page.body).toContain('class="fr-connect fr-connect--plus"');
    expect(page.body).not.toContain('name="iban"');
    const before = await ibanOf('1234567');
    const forced = await b.open(PATH, {
      form: {
        _csrf: csrfTokenOf(page.body),
        iban: NEW_IBAN,
        bic: 'BDFEFRPPCCT',
        demande: crypto.randomUUID(),
      },
    });
    expect(forced.status).toBe(403);
    expect(await ibanOf('1234567')).toBe(before);
  });

  it('allows the change after FranceConnect+, notifies, and is idempotent on a double submit', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    await franceConnectLogin(b, 'camille-martin', camille.password, false);
    // From the step-up page: the FranceConnect+ button brings the person back to the form.
    const stepUp = await b.open(PATH);
    const provider = await b.open('/franceconnect/connexion', {
      form: {
        _csrf: csrfTokenOf(stepUp.body),
        niveau: 'franceconnect-plus',
        retour: 'coordonnees-bancaires',
      },
    });
    const back = await b.chooseIdentity(provider, 'camille-martin');
    if ('stopped' in back) throw new Error('stopped');
    // Logged in as Camille already: her session vouches for the account, no password asked.
    expect(back.url.pathname).toBe(PATH);
    expect(back.body).toContain('name="iban"');

    const before = await changesOf('1234567');
    const form = {
      _csrf: csrfTokenOf(back.body),
      iban: NEW_IBAN,
      bic: 'bdfe fr pp cct',
      demande: /name="demande" value="([^"]+)"/.exec(back.body)?.[1] ?? '',
    };
    const done = await b.open(PATH, { form });
    expect(done.url.pathname).toBe(`${PATH}/enregistrees`);
    expect(done.body).toContain('Vos coordonnées bancaires sont enregistrées');
    expect(await ibanOf('1234567')).toBe('FR7630004000031234567890143');
    const notice = await lastMessageTo(db.pool, camille.email ?? '', 'email');
    expect(notice?.subject).toBe('Vos coordonnées bancaires ont été modifiées');
    expect(notice?.body).not.toContain('FR7630004000031234567890143');

    const again = await b.open(PATH, { form });
    expect(again.url.pathname).toBe(`${PATH}/enregistrees`);
    expect(await changesOf('1234567')).toBe(before + 1);
    expect((await lastMessageTo(db.pool, camille.email ?? '', 'email'))?.id).toBe(notice?.id);
  });

  it('allows the change after the password typed again and a code, for 10 minutes', async () => {
    const antoine = persona('conjoint-avec-delegation');
    const b = new MultiOriginBrowser(bed.origin);
    await b.submit('/connexion', { nir: antoine.nir, password: antoine.password });
    const wrong = await b.submit(PATH, { password: 'Pas-le-bon-1' }, `${PATH}/verification`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('id="password-error">Mot de passe incorrect.');

    const codePage = await b.submit(PATH, { password: antoine.password }, `${PATH}/verification`);
    expect(codePage.url.pathname).toBe(`${PATH}/code`);
    const message = await lastMessageTo(db.pool, antoine.email ?? '', 'email');
    expect(message?.body).toContain('confirmer la modification de vos coordonnées bancaires');
    const form = await b.submit(`${PATH}/code`, { code: codeIn(message?.body ?? '') });
    expect(form.url.pathname).toBe(PATH);
    expect(form.body).toContain('name="iban"');

    const done = await postBankForm(b, { iban: 'FR7630006000011234567890189', bic: 'AGRIFRPPXXX' });
    expect(done.url.pathname).toBe(`${PATH}/enregistrees`);
    expect(await ibanOf('3456789')).toBe('FR7630006000011234567890189');

    clockOffsetMs = 11 * 60_000;
    try {
      const expired = await b.open(PATH);
      expect(expired.body).toContain('Confirmer votre identité');
      expect(expired.body).not.toContain('name="iban"');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('explains IBAN and BIC errors next to each field, in French, and changes nothing', async () => {
    const sophie = persona('allocataire-leroy');
    const b = new MultiOriginBrowser(bed.origin);
    await b.submit('/connexion', { nir: sophie.nir, password: sophie.password });
    await b.submit(PATH, { password: sophie.password }, `${PATH}/verification`);
    const message = await lastMessageTo(db.pool, sophie.email ?? '', 'email');
    await b.submit(`${PATH}/code`, { code: codeIn(message?.body ?? '') });
    const before = await ibanOf('3456789');

    const page = await postBankForm(b, { iban: 'FR76 3000 6000 0112 3456 7890 188', bic: 'AGRI' });
    expect(page.status).toBe(400);
    expect(page.body).toContain('id="error-summary"');
    expect(page.body).toContain('href="#iban"');
    expect(page.body).toMatch(
      /id="iban-error">Cet IBAN n’est pas valide\u00a0: la clé de contrôle ne correspond pas/,
    );
    expect(page.body).toMatch(/id="bic-error">Le BIC comporte 8 ou 11 caractères/);
    expect(page.body).toContain('value="FR76 3000 6000 0112 3456 7890 188"');

    const short = await postBankForm(b, { iban: 'FR76300060000112345678901', bic: 'AGRIFRPP' });
    expect(short.body).toContain(
      'Un IBAN commençant par FR comporte 27 caractères\u00a0; vous en avez saisi 25.',
    );
    expect(await ibanOf('3456789')).toBe(before);
  });

  it('refuses a change without the CSRF token', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    await b.submit('/connexion', { nir: camille.nir, password: camille.password });
    const res = await b.open(PATH, {
      form: { iban: NEW_IBAN, bic: 'AGRIFRPP', demande: crypto.randomUUID() },
    });
    expect(res.status).toBe(403);
  });
});
