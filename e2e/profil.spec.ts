// Issue 8, « Mon profil »: contacts, password, Mes connexions and Historique de connexion, with
// axe on every page state. Uses the Leroy household (Sophie, Antoine), used by no other spec.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MessagesPage } from './pages/messages-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

function personaOf(key: string) {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir || !p.password) throw new Error(`demo persona ${key} not found`);
  return { ...p, nir: p.nir, password: p.password };
}
const sophie = personaOf('allocataire-leroy');
const antoine = personaOf('conjoint-avec-delegation');
const NEW_EMAIL = 'sophie.leroy.nouvelle@example.fr';

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  pageErrors.push(watchForErrors(page, [400, 401, 409]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function login(page: Page, nir: string, password: string): Promise<void> {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(nir, password);
  await expect(page).toHaveURL(/\/mon-compte$/);
}

async function openProfile(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Menu principal' })
    .getByRole('link', { name: 'Mon profil' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mon profil' })).toBeVisible();
  await expect(
    page
      .getByRole('navigation', { name: 'Menu principal' })
      .getByRole('link', { name: 'Mon profil' }),
  ).toHaveAttribute('aria-current', 'page');
}

test('Mon profil : changer d’adresse électronique avec un code envoyé à la nouvelle', async ({
  browser,
}) => {
  const page = await newPage(browser);
  await login(page, sophie.nir, sophie.password);
  await openProfile(page);
  await expectNoAxeViolations(page);

  await test.step('la dernière coordonnée validée ne peut pas être supprimée', async () => {
    const email = page.locator('tr[data-contact="email"]');
    await expect(email.getByRole('button', { name: /^Supprimer/ })).toBeDisabled();
    await expect(
      page.getByText('Votre dernière coordonnée validée ne peut pas être supprimée.'),
    ).toBeVisible();
  });

  await test.step('une adresse qui n’est pas valide est refusée', async () => {
    await page
      .locator('tr[data-contact="email"]')
      .getByRole('link', { name: /^Modifier/ })
      .click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Modifier mon adresse électronique' }),
    ).toBeVisible();
    await expectNoAxeViolations(page);
    await page.getByRole('textbox', { name: /^Nouvelle adresse électronique/ }).fill('sophie@');
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await expect(page.locator('#email-error')).toContainText(
      'Saisissez une adresse électronique valide',
    );
    await expect(page.getByRole('textbox', { name: /^Nouvelle adresse électronique/ })).toHaveValue(
      'sophie@',
    );
    await expectNoAxeViolations(page);
  });

  await test.step('le code reçu à la nouvelle adresse la valide', async () => {
    await page.getByRole('textbox', { name: /^Nouvelle adresse électronique/ }).fill(NEW_EMAIL);
    await page.getByRole('button', { name: 'Recevoir un code' }).click();
    await expect(
      page.getByRole('heading', { level: 1, name: 'Valider ma nouvelle coordonnée' }),
    ).toBeVisible();
    await expectNoAxeViolations(page);
    const inbox = await newPage(browser);
    const messages = new MessagesPage(inbox);
    await messages.goto();
    const mail = await messages.arrived('Courriel', NEW_EMAIL, 'Votre code Mon Compte');
    const code = /(\d{6})/.exec(await mail.locator('pre').innerText())?.[1];
    if (!code) throw new Error('no code in the message');
    await page.getByRole('textbox', { name: /^Code à 6 chiffres/ }).fill(code);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.getByText('Votre nouvelle adresse électronique est validée.')).toBeVisible();
    await expect(page.locator('tr[data-contact="email"]')).toContainText(NEW_EMAIL);
    await expectNoAxeViolations(page);
    await messages.arrived(
      'Courriel',
      sophie.email ?? '',
      'Vos coordonnées Mon Compte ont été modifiées',
    );
  });
});

test('Mes connexions : fermer la session d’un autre navigateur', async ({ browser }) => {
  const other = await newPage(browser);
  await login(other, sophie.nir, sophie.password);
  const page = await newPage(browser);
  await login(page, sophie.nir, sophie.password);
  await openProfile(page);
  await page.getByRole('link', { name: 'Mes connexions' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mes connexions' })).toBeVisible();
  await expect(page.locator('tr[data-current]')).toContainText('Cet appareil');
  await expect(page.locator('tr[data-current]')).toContainText(/Chrom/);
  await expectNoAxeViolations(page);

  await page.getByRole('button', { name: 'Fermer toutes mes autres sessions' }).click();
  await expect(page.getByText('Toutes vos autres sessions ont été fermées.')).toBeVisible();
  await expect(page.locator('tr[data-session]')).toHaveCount(1);
  await expectNoAxeViolations(page);

  // The other browser's next request is anonymous.
  await other.goto('/mon-compte');
  await expect(other).toHaveURL(/\/connexion$/);

  await page.getByRole('link', { name: 'Historique de connexion' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Historique de connexion' }),
  ).toBeVisible();
  await expect(page.locator('tr[data-event="success"]').first()).toContainText('Mot de passe');
  await expectNoAxeViolations(page);
});

test('Modifier mon mot de passe : l’actuel est vérifié, puis les autres sessions sont fermées', async ({
  browser,
}) => {
  const other = await newPage(browser);
  await login(other, antoine.nir, antoine.password);
  const page = await newPage(browser);
  await login(page, antoine.nir, antoine.password);
  await openProfile(page);
  await page.getByRole('link', { name: 'Modifier mon mot de passe' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Modifier mon mot de passe' }),
  ).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByLabel('Mot de passe actuel', { exact: true }).fill('Pas-le-bon-2026');
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Calanques-Mer-2027');
  await page.getByRole('button', { name: 'Modifier mon mot de passe' }).click();
  await expect(page.locator('#current-error')).toHaveText('Mot de passe actuel incorrect.');
  await expectNoAxeViolations(page);

  await page.getByLabel('Mot de passe actuel', { exact: true }).fill(antoine.password);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('Calanques-Mer-2027');
  await page.getByRole('button', { name: 'Modifier mon mot de passe' }).click();
  await expect(page.getByText('Votre mot de passe a été modifié')).toBeVisible();
  await expectNoAxeViolations(page);

  await other.goto('/mon-compte');
  await expect(other).toHaveURL(/\/connexion$/);
});
