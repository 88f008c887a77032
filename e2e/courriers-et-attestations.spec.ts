// Issue 14 (part B): a registered electronic letter (LRE) opened after password + code, an
// attestation downloaded and read, and the public verification of its reference, with axe on
// every page state. Uses Camille MARTIN: her LRE's first opening here records its
// acknowledgment of receipt (another spec opening it would find it acknowledged already).
import { readFile } from 'node:fs/promises';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { PDFParse } from 'pdf-parse';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MessagesPage } from './pages/messages-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

function personaOf(key: string) {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir || !p.password || !p.email) throw new Error(`demo persona ${key} not found`);
  return { ...p, nir: p.nir, password: p.password, email: p.email };
}
const camille = personaOf('allocataire-migre');

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  pageErrors.push(watchForErrors(page, [400, 401]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function login(page: Page): Promise<void> {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(camille.nir, camille.password);
  await expect(page).toHaveURL(/\/mon-compte$/);
}

async function pdfText(data: Buffer): Promise<string> {
  const parser = new PDFParse({ data });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

/** « JJ/MM/AAAA » of a day `monthsAgo` months before today. */
function frenchDate(monthsAgo = 0): string {
  const d = new Date();
  d.setMonth(d.getMonth() - monthsAgo);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${String(d.getFullYear())}`;
}

test('Mes courriers : une lettre recommandée électronique s’ouvre après mot de passe et code', async ({
  browser,
}) => {
  const page = await newPage(browser);
  await login(page);
  await page.goto('/mon-compte/courriers');
  await expect(page.getByRole('heading', { level: 1, name: 'Mes courriers' })).toBeVisible();
  await expectNoAxeViolations(page);
  const lre = page.locator('tr[data-lre]').first();
  await expect(lre).toContainText('Lettre recommandée électronique');
  await expect(lre.locator('[data-receipt]')).toHaveCount(0);

  await test.step('sans authentification renforcée, le courrier demande de confirmer son identité', async () => {
    await lre.getByRole('link', { name: /^Ouvrir/ }).click();
    await expect(page).toHaveURL(/\/mon-compte\/courriers\/[0-9a-f-]+\/verification$/);
    await expect(
      page.getByRole('heading', { level: 1, name: 'Confirmer votre identité' }),
    ).toBeVisible();
    await expectNoAxeViolations(page);
  });

  await test.step('mot de passe, puis le code reçu par courriel', async () => {
    await page.locator('#password').fill(camille.password);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Saisir le code reçu' }),
    ).toBeVisible();
    await expectNoAxeViolations(page);
    const codeUrl = page.url();
    const messages = new MessagesPage(page);
    let code = '';
    await expect(async () => {
      await messages.goto();
      const row = messages.rows
        .filter({ hasText: camille.email })
        .filter({ hasText: 'ouvrir votre lettre recommandée électronique' })
        .first();
      const body = await row.locator('pre').innerText({ timeout: 500 });
      code = /\best : (\d{6})\b/.exec(body)?.[1] ?? '';
      expect(code).toMatch(/^\d{6}$/);
    }).toPass({ intervals: [250], timeout: 15_000 });
    await page.goto(codeUrl);
    await page.getByRole('textbox', { name: /^Code à 6 chiffres/ }).fill(code);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page).toHaveURL(/\/mon-compte\/courriers#courrier-[0-9a-f-]+$/);
    await expectNoAxeViolations(page);
  });

  await test.step('le PDF s’ouvre, et sa première ouverture vaut accusé de réception', async () => {
    const href = await page.locator('tr[data-lre] a').first().getAttribute('href');
    const res = await page.request.get(href ?? '');
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect(res.headers()['cache-control']).toBe('no-store');
    const text = await pdfText(await res.body());
    expect(text).toContain('Camille MARTIN');
    expect(text).toContain('Accusé de réception : ouvert le');
    await page.reload();
    await expect(page.locator('tr[data-lre] [data-receipt]').first()).toContainText(
      'par Camille MARTIN',
    );
    await expectNoAxeViolations(page);
  });
});

test('Mes attestations : une attestation téléchargée, puis vérifiée sur la page publique', async ({
  browser,
}) => {
  const page = await newPage(browser);
  await login(page);
  await page.goto('/mon-compte/attestations');
  await expect(page.getByRole('heading', { level: 1, name: 'Mes attestations' })).toBeVisible();
  await expectNoAxeViolations(page);

  let reference = '';
  await test.step('une période mal saisie est expliquée à côté du champ', async () => {
    await page.getByRole('button', { name: /^Télécharger l’attestation de paiement/ }).click();
    await expect(page.locator('#error-summary')).toBeVisible();
    await expect(page.locator('#du-error')).toHaveText('Saisissez le premier jour de la période.');
    await expectNoAxeViolations(page);
  });

  await test.step('l’attestation de paiement, téléchargée, nomme l’allocataire', async () => {
    const select = page.getByRole('combobox', { name: 'Prestation' });
    const benefit = await select.locator('option:not([disabled])').first().getAttribute('value');
    await select.selectOption(benefit ?? '');
    await page.getByRole('textbox', { name: /^Du/ }).fill(frenchDate(12));
    await page.getByRole('textbox', { name: /^Au/ }).fill(frenchDate(0));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /^Télécharger l’attestation de paiement/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('attestation-paiement-1234567.pdf');
    const text = await pdfText(await readFile(await download.path()));
    expect(text).toContain('Allocataire : Camille MARTIN');
    expect(text).toContain('Numéro allocataire : 1234567');
    reference = /Référence : ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(text)?.[1] ?? '';
    expect(reference).not.toBe('');
  });

  await test.step('la page publique reconnaît la référence, sans rien dire de la personne', async () => {
    const visitor = await (await browser.newContext()).newPage();
    pageErrors.push(watchForErrors(visitor, [400]));
    await visitor.goto('/');
    await visitor.getByRole('link', { name: 'Vérifier une attestation' }).click();
    await expect(
      visitor.getByRole('heading', { level: 1, name: 'Vérifier une attestation' }),
    ).toBeVisible();
    await expectNoAxeViolations(visitor);
    await visitor.getByRole('textbox', { name: /^Référence de l’attestation/ }).fill(reference);
    await visitor.getByRole('button', { name: 'Vérifier' }).click();
    const verdict = visitor.locator('[data-verdict="authentique"]');
    await expect(verdict).toContainText('Cette attestation est authentique');
    await expect(verdict).toContainText('C. M.');
    await expect(verdict).not.toContainText('MARTIN');
    await expectNoAxeViolations(visitor);

    await visitor
      .getByRole('textbox', { name: /^Référence de l’attestation/ })
      .fill('ABCD-EFGH-JKMN');
    await visitor.getByRole('button', { name: 'Vérifier' }).click();
    await expect(visitor.locator('#reference-error')).toHaveText(
      'Aucune attestation ne correspond à cette référence.',
    );
    await expect(visitor.locator('[data-verdict]')).toHaveCount(0);
    await expectNoAxeViolations(visitor);
  });
});
