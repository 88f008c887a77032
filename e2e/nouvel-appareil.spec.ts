// Issue 8, ADR 0011: a password login from a device the person has not used before asks for a
// code sent to a verified contact; the device is then remembered. Runs against the second portal
// of playwright.config.ts (NEW_DEVICE_CODE=on, its own database), so no other spec is affected.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MessagesPage } from './pages/messages-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

const camille = (() => {
  const p = demoPersonas().find((x) => x.key === 'allocataire-migre');
  if (!p?.nir || !p.password || !p.email) throw new Error('demo persona allocataire-migre');
  return { nir: p.nir, password: p.password, email: p.email };
})();

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  pageErrors.push(watchForErrors(page, [400]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function passwordStep(page: Page): Promise<void> {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(camille.nir, camille.password);
}

async function codeSentTo(page: Page): Promise<string> {
  const messages = new MessagesPage(await page.context().newPage());
  const mail = await messages.arrived('Courriel', camille.email, 'Votre code Mon Compte');
  const code = /(\d{6})/.exec(await mail.locator('pre').innerText())?.[1];
  await messages.page.close();
  if (!code) throw new Error('no code in the message');
  return code;
}

test('Nouvel appareil : un code par courriel, puis l’appareil est reconnu', async ({ browser }) => {
  const page = await newPage(browser);

  await test.step('le bon mot de passe depuis un appareil inconnu demande un code', async () => {
    await passwordStep(page);
    await expect(page).toHaveURL(/\/connexion\/code$/);
    await expect(
      page.getByRole('heading', { level: 1, name: 'Confirmer votre connexion' }),
    ).toBeVisible();
    await expect(
      page.getByText('par courriel à votre adresse électronique vérifiée'),
    ).toBeVisible();
    await expectNoAxeViolations(page);
  });

  const code = await codeSentTo(page);

  await test.step('un code erroné est refusé près du champ et dans le récapitulatif', async () => {
    const wrong = code === '000000' ? '111111' : '000000';
    await page.getByRole('textbox', { name: /^Code à 6 chiffres/ }).fill(wrong);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page.locator('#error-summary')).toBeFocused();
    await expect(page.locator('#code-error')).toBeVisible();
    await expectNoAxeViolations(page);
  });

  await test.step('le bon code ouvre la session', async () => {
    await page.getByRole('textbox', { name: /^Code à 6 chiffres/ }).fill(code);
    await page.getByRole('button', { name: 'Valider' }).click();
    await expect(page).toHaveURL(/\/mon-compte$/);
  });

  await test.step('après une déconnexion, le même navigateur se connecte sans code', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Se déconnecter' }).click();
    await expect(page).toHaveURL(/\/deconnexion$/);
    await passwordStep(page);
    await expect(page).toHaveURL(/\/mon-compte$/);
  });

  await test.step('un autre navigateur doit à nouveau saisir un code', async () => {
    const other = await newPage(browser);
    await passwordStep(other);
    await expect(other).toHaveURL(/\/connexion\/code$/);
  });
});
