import { expect, test } from '@playwright/test';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MonComptePage } from './pages/mon-compte-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

const persona = demoPersonas().find((p) => p.key === 'allocataire-migre');
if (!persona?.password) throw new Error('demo persona allocataire-migre not found');
const { password } = persona;

const SCREENSHOTS = 'screenshots';

test('FranceConnect : connexion, liaison, Mon Compte, puis FranceConnect+ demandé pour le RIB', async ({
  page,
}) => {
  const errors = watchForErrors(page, []);
  const connexion = new ConnexionPage(page);
  const monCompte = new MonComptePage(page);

  await test.step('le bouton FranceConnect au-dessus du formulaire', async () => {
    await connexion.goto();
    await expect(
      page.getByRole('button', { name: 'S’identifier avec FranceConnect', exact: true }),
    ).toBeVisible();
    await expect(page.getByRole('link', { name: /Qu’est-ce que FranceConnect \?/ })).toBeVisible();
    await expectNoAxeViolations(page);
    await page.screenshot({ path: `${SCREENSHOTS}/connexion-franceconnect.png`, fullPage: true });
    await page
      .getByRole('button', { name: 'S’identifier avec FranceConnect', exact: true })
      .click();
  });

  await test.step('le fournisseur de développement : choisir Camille MARTIN', async () => {
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Choisir une identité de test',
    );
    await expectNoAxeViolations(page);
    await page.getByLabel(/Camille Marie MARTIN/).check();
    await page.getByRole('button', { name: 'Se connecter' }).click();
  });

  await test.step('relier FranceConnect au compte avec le mot de passe', async () => {
    await expect(page).toHaveURL(/\/franceconnect\/liaison$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Relier FranceConnect à mon compte',
    );
    await expectNoAxeViolations(page);
    await page.locator('#password').fill(password);
    await page.getByRole('button', { name: 'Relier et me connecter' }).click();
  });

  await test.step('Mon Compte', async () => {
    await monCompte.expectLoaded();
    await expect(monCompte.headerName()).toHaveText('Camille MARTIN');
    await expectNoAxeViolations(page);
  });

  await test.step('modifier le RIB : FranceConnect+ demandé', async () => {
    await monCompte
      .dossier('1234567')
      .getByRole('link', { name: 'Modifier mes coordonnées bancaires' })
      .click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Confirmer votre identité');
    await expect(
      page.getByRole('button', { name: /S’identifier avec FranceConnect\s*\+/ }),
    ).toBeVisible();
    await expect(page.getByLabel('IBAN')).toHaveCount(0);
    await expectNoAxeViolations(page);
    await page.screenshot({
      path: `${SCREENSHOTS}/coordonnees-bancaires-franceconnect-plus.png`,
      fullPage: true,
    });
  });

  expect(errors, 'no console error, CSP violation or uncaught exception').toEqual([]);
});
