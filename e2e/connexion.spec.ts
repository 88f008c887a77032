import { expect, test } from '@playwright/test';
import { demoDossiers, demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MonComptePage } from './pages/mon-compte-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

const persona = demoPersonas().find((p) => p.key === 'allocataire-migre');
if (!persona?.nir || !persona.password) throw new Error('demo persona allocataire-migre not found');
const { nir, password } = persona;
const dossier = demoDossiers.find((d) => d.number === '1234567');
if (!dossier) throw new Error('demo dossier 1234567 not found');

const SCREENSHOTS = 'screenshots';

let errors: string[] = [];
test.beforeEach(({ page }) => {
  errors = watchForErrors(page);
});
test.afterEach(() => {
  expect(errors, 'no console error, CSP violation or uncaught exception').toEqual([]);
});

test('connexion, dossier puis déconnexion (allocataire-migre)', async ({ page }) => {
  const connexion = new ConnexionPage(page);
  const monCompte = new MonComptePage(page);

  await test.step('page de connexion', async () => {
    await connexion.goto();
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/connexion.png`, fullPage: true });
  });

  await test.step('« Afficher » le mot de passe (JavaScript DSFR chargé malgré la CSP)', async () => {
    await connexion.password.fill('secret');
    await expect(connexion.password).toHaveAttribute('type', 'password');
    await connexion.showPassword.click();
    await expect(connexion.password).toHaveAttribute('type', 'text');
    await connexion.showPassword.click();
    await expect(connexion.password).toHaveAttribute('type', 'password');
    await connexion.password.clear();
  });

  await test.step('connexion et dossier', async () => {
    await connexion.login(nir, password);
    await monCompte.expectLoaded();
    await expect(monCompte.headerName()).toHaveText('Camille MARTIN');
    const section = monCompte.dossier('1234567');
    await expect(
      section.getByRole('heading', { name: 'Numéro allocataire 1234567' }),
    ).toBeVisible();
    await expect(section.locator('[data-iban]')).toHaveText('FR76 •••• •••• •••• •••• •••• 189');
    await expect(page.locator('body')).not.toContainText(dossier.iban);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/mon-compte.png`, fullPage: true });
  });

  await test.step('déconnexion', async () => {
    await monCompte.logout();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vous êtes déconnecté(e)');
    await expect(page.getByRole('banner').locator('[data-current-user]')).toHaveCount(0);
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/deconnexion.png`, fullPage: true });
  });

  await test.step('la session est fermée : /mon-compte renvoie vers /connexion', async () => {
    await monCompte.goto();
    await expect(page).toHaveURL(/\/connexion$/);
    await expect(connexion.heading).toBeVisible();
  });
});

test('un mauvais mot de passe affiche le récapitulatif et le message du champ', async ({
  page,
}) => {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(nir, 'pas-le-bon-mot-de-passe');

  await expect(page).toHaveTitle(/^Erreur - Connexion/);
  await expect(connexion.errorSummary).toBeVisible();
  await expect(connexion.errorSummary.getByRole('heading')).toHaveText(
    'Le formulaire contient une erreur',
  );
  const link = connexion.errorSummary.getByRole('link', {
    name: 'Numéro de sécurité sociale ou mot de passe incorrect.',
  });
  await expect(link).toHaveAttribute('href', '#password');
  await expect(connexion.fieldError('password')).toHaveText(
    'Numéro de sécurité sociale ou mot de passe incorrect.',
  );
  await expect(connexion.password).toHaveAttribute('aria-invalid', 'true');
  // The NIR is kept, the password is not.
  await expect(connexion.nir).toHaveValue(nir);
  await expect(connexion.password).toHaveValue('');
  await expectNoAxeViolations(page);
  await page.screenshot({ path: `${SCREENSHOTS}/connexion-erreur.png`, fullPage: true });
});

test.describe('sur un petit écran', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('mon compte et le menu du bandeau', async ({ page }) => {
    const connexion = new ConnexionPage(page);
    const monCompte = new MonComptePage(page);
    await connexion.goto();
    await expectNoAxeViolations(page);
    await connexion.login(nir, password);
    await monCompte.expectLoaded();
    // The tables scroll sideways here: their container must take the keyboard focus.
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/mon-compte-mobile.png`, fullPage: true });

    await page.getByRole('button', { name: 'Menu' }).click();
    const menu = page.locator('#menu-modal');
    await expect(menu).toBeVisible();
    await expect(menu.getByRole('link', { name: 'Camille MARTIN' })).toBeVisible();
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/menu-mobile.png` });
    await menu.getByRole('button', { name: 'Se déconnecter' }).click();
    await expect(page).toHaveURL(/\/deconnexion$/);
  });
});
