// Issue 14 D, « Déclaration trimestrielle de ressources »: draft → leave (log out) → log in
// again → resume → submit → acknowledgment, with axe on every page state. Uses Amadou DIALLO
// (provisional identifier, RSA household) and CHANGES HIS STATE: his quarter ends up sent.
import { readFile } from 'node:fs/promises';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { PDFParse } from 'pdf-parse';
import { demoPersonas } from '../src/seed/demo.ts';
import { MonComptePage } from './pages/mon-compte-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

const amadou = demoPersonas().find((p) => p.key === 'identifiant-provisoire');
if (!amadou?.provisionalId || !amadou.password) throw new Error('Amadou DIALLO not in the demo');
const { provisionalId, password } = amadou;

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
  pageErrors.push(watchForErrors(page, [400, 409]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function login(page: Page): Promise<void> {
  await page.goto('/identifiant-provisoire');
  await page.getByRole('textbox', { name: /^Identifiant provisoire/ }).fill(provisionalId);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await new MonComptePage(page).expectLoaded();
}

async function openDeclaration(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Déclaration trimestrielle à faire' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Déclaration trimestrielle de ressources' }),
  ).toBeVisible();
}

/** The first « Autres ressources » field of the form (Amadou's first month). */
function otherResources(page: Page) {
  return page.getByRole('textbox', { name: /^Autres ressources/ }).first();
}

test('Déclaration trimestrielle : brouillon, reprise après reconnexion, envoi et accusé de réception', async ({
  browser,
}) => {
  const page = await newPage(browser);
  await login(page);
  await expectNoAxeViolations(page);
  await openDeclaration(page);
  await expectNoAxeViolations(page);

  await test.step('les données transmises par nos partenaires sont pré-remplies', async () => {
    const chomage = page.getByRole('textbox', { name: /^Allocations chômage/ }).first();
    await expect(chomage).toHaveValue('612,30');
    await expect(
      page.getByText(/Données transmises par nos partenaires \(France Travail\)/).first(),
    ).toBeVisible();
  });

  await test.step('un montant mal saisi est signalé à côté du champ', async () => {
    await otherResources(page).fill('12,345');
    await page.getByRole('button', { name: 'Enregistrer et terminer plus tard' }).click();
    await expect(page.locator('#error-summary')).toBeVisible();
    await expect(otherResources(page)).toHaveValue('12,345');
    await expect(
      page.getByText('Saisissez au plus deux chiffres après la virgule').first(),
    ).toBeVisible();
    await expectNoAxeViolations(page);
  });

  await test.step('enregistrer et terminer plus tard', async () => {
    await otherResources(page).fill('150,00');
    await page.getByRole('button', { name: 'Enregistrer et terminer plus tard' }).click();
    await expect(page.getByText('Votre brouillon est enregistré')).toBeVisible();
    await expectNoAxeViolations(page);
    await new MonComptePage(page).logout();
  });

  const again = await newPage(browser);
  await test.step('reprendre sur un autre navigateur, après une nouvelle connexion', async () => {
    await login(again);
    await expect(again.getByText(/Votre brouillon est enregistré\s:\sreprenez-le/)).toBeVisible();
    await openDeclaration(again);
    await expect(otherResources(again)).toHaveValue('150,00');
    await expect(again.getByText(/Brouillon enregistré le .* par Amadou DIALLO/)).toBeVisible();
  });

  await test.step('envoyer la déclaration', async () => {
    await again.locator('label[for="certification"]').click();
    await again.getByRole('button', { name: 'Envoyer ma déclaration' }).click();
    await expect(
      again.getByRole('heading', { name: 'Votre déclaration est envoyée' }),
    ).toBeVisible();
    await expectNoAxeViolations(again);
  });

  await test.step('l’accusé de réception nomme l’allocataire et le trimestre', async () => {
    const reference = (await again.locator('[data-reference]').textContent()) ?? '';
    const [download] = await Promise.all([
      again.waitForEvent('download'),
      again.getByRole('link', { name: 'Télécharger l’accusé de réception (PDF)' }).click(),
    ]);
    const file = await download.path();
    const { text } = await new PDFParse({ data: await readFile(file) }).getText();
    expect(text).toContain('Amadou DIALLO');
    expect(text).toContain('Numéro allocataire : 4567890');
    expect(text).toMatch(/Trimestre déclaré : \S/);
    expect(text).toContain(reference.trim());
    expect(text).toContain('150,00');
  });

  await test.step('Mes démarches montre la déclaration envoyée', async () => {
    await again.goto('/mon-compte/demarches');
    await expect(again.getByRole('heading', { level: 1, name: 'Mes démarches' })).toBeVisible();
    await expect(again.locator('tr[data-demarche="envoyee"]')).toContainText(
      'Déclaration trimestrielle de ressources',
    );
    await expectNoAxeViolations(again);
  });
});
