// Issue 14, « Mes documents »: a PDF sent and its receipt, then a refused file and its message by
// the field, with axe on every page state. Uses Marie PETIT (foyer-sans-lien): this spec adds one
// free document to her dossier (« Documents envoyés »); nothing else of hers changes.
import { expect, test, type Browser, type Page } from '@playwright/test';
import PDFDocument from 'pdfkit';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

function personaOf(key: string) {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir || !p.password) throw new Error(`demo persona ${key} not found`);
  return { ...p, nir: p.nir, password: p.password };
}
const marie = personaOf('foyer-sans-lien');

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  pageErrors.push(watchForErrors(page, [400]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function login(page: Page): Promise<void> {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(marie.nir, marie.password);
  await expect(page).toHaveURL(/\/mon-compte$/);
}

function samplePdf(text: string): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4' });
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
    doc.text(text);
    doc.end();
  });
}

async function openDocuments(page: Page): Promise<void> {
  await page.goto('/mon-compte/documents');
  await expect(page.getByRole('heading', { level: 1, name: 'Mes documents' })).toBeVisible();
}

test('Mes documents : envoyer un PDF et recevoir l’accusé de réception', async ({ browser }) => {
  const page = await newPage(browser);
  await login(page);
  await openDocuments(page);
  await expectNoAxeViolations(page);

  await page.locator('label[for="demande-libre"]').click();
  await page.getByLabel(/^Description du document/).fill('Attestation de l’employeur');
  await page.locator('#fichier').setInputFiles({
    name: 'attestation-employeur.pdf',
    mimeType: 'application/pdf',
    buffer: await samplePdf('Attestation de l’employeur — Marie PETIT'),
  });
  await page.getByRole('button', { name: 'Envoyer le document' }).click();

  await expect(page).toHaveURL(/\/mon-compte\/documents\/accuse-de-reception\?reference=DOC-/);
  await expect(page.getByRole('heading', { level: 1, name: 'Accusé de réception' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('Votre document est bien envoyé à la Caf');
  const reference = (await page.locator('[data-reference]').textContent())?.trim() ?? '';
  expect(reference).toMatch(/^DOC-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await expect(page.getByText('attestation-employeur.pdf')).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole('link', { name: 'Retour à Mes documents' }).click();
  const row = page.locator(`tr[data-document="${reference}"]`);
  await expect(row).toContainText('Attestation de l’employeur');
  await expect(row).toContainText('Reçu, en cours d’examen');
});

test('Mes documents : un fichier refusé est signalé à côté du champ', async ({ browser }) => {
  const page = await newPage(browser);
  await login(page);
  await openDocuments(page);

  await page.locator('label[for="demande-libre"]').click();
  await page.getByLabel(/^Description du document/).fill('Bulletin de salaire');
  // A text file named .pdf: the server reads the bytes, not the name nor the claimed type.
  await page.locator('#fichier').setInputFiles({
    name: 'bulletin.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('Ceci n’est pas un PDF.'),
  });
  await page.getByRole('button', { name: 'Envoyer le document' }).click();

  const message = 'Le fichier doit être au format PDF, JPEG ou PNG.';
  await expect(page.locator('#error-summary')).toBeFocused();
  await expect(page.locator('#error-summary')).toContainText(message);
  await expect(page.locator('#fichier-error')).toContainText(message);
  await expect(page.locator('#fichier')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel(/^Description du document/)).toHaveValue('Bulletin de salaire');
  await expectNoAxeViolations(page);
});
