// Issue 4: the allocataire invites the 16-year-old, who activates her own account and sees only
// what the access matrix allows; a delegation granted then revoked changes the conjoint's pages
// on the next request. Uses the Martin household (Camille, Julien, Léa), read-only elsewhere.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MessagesPage } from './pages/messages-page.ts';
import { CodePage, CoordonneesPage, MotDePassePage } from './pages/premiere-connexion-pages.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

function personaOf(key: string) {
  const p = demoPersonas().find((x) => x.key === key);
  if (!p?.nir) throw new Error(`demo persona ${key} not found`);
  return { ...p, nir: p.nir };
}
const camille = personaOf('allocataire-migre');
const julien = personaOf('conjoint-sans-delegation');
const lea = personaOf('enfant-16');
const LEA_EMAIL = 'lea.martin@example.fr';
const PAYMENTS = 'Mes derniers paiements';

const pageErrors: string[][] = [];
async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  pageErrors.push(watchForErrors(page, [400, 401, 403]));
  return page;
}
test.afterEach(() => {
  expect(pageErrors.flat(), 'no console error, CSP violation or uncaught exception').toEqual([]);
});

async function login(page: Page, nir: string, password: string | null): Promise<void> {
  const connexion = new ConnexionPage(page);
  await connexion.goto();
  await connexion.login(nir, password ?? '');
  await expect(page).toHaveURL(/\/mon-compte$/);
}

test('l’allocataire invite sa fille de 16 ans, qui active son compte', async ({ browser }) => {
  const parent = await newPage(browser);
  await login(parent, camille.nir, camille.password);

  await test.step('Mon foyer : inviter Léa par courriel', async () => {
    await parent.getByRole('main').getByRole('link', { name: 'Mon foyer' }).click();
    await expect(parent.getByRole('heading', { level: 1, name: 'Mon foyer' })).toBeVisible();
    await expect(parent.getByText('Pas de compte avant 15 ans')).toBeVisible();
    await expectNoAxeViolations(parent);
    const section = parent.getByRole('region', { name: 'Léa MARTIN' });
    await section.getByLabel(/^Adresse électronique de Léa/).fill(LEA_EMAIL);
    await section.getByRole('button', { name: 'Envoyer l’invitation' }).click();
    await expect(parent.getByText('Invitation envoyée à Léa par courriel.')).toBeVisible();
    await expectNoAxeViolations(parent);
  });

  const child = await newPage(browser);
  await test.step('Léa active son compte avec son numéro et le code reçu', async () => {
    const messages = new MessagesPage(child);
    await messages.goto();
    const invitation = await messages.arrived(
      'Courriel',
      LEA_EMAIL,
      'Votre invitation à créer votre compte Mon Compte',
    );
    const body = await invitation.locator('pre').innerText();
    const code = /([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(body)?.[1];
    if (!code) throw new Error(`no activation code in:\n${body}`);

    await child.goto('/activer-mon-compte');
    await expectNoAxeViolations(child);
    await child.getByRole('textbox', { name: /^Numéro de sécurité sociale/ }).fill(lea.nir);
    await child.getByRole('textbox', { name: /^Code d’activation/ }).fill(code);
    await child.getByRole('button', { name: 'Continuer' }).click();

    const motDePasse = new MotDePassePage(child);
    await motDePasse.expectLoaded();
    await expect(child.getByText('Votre code d’activation est reconnu.')).toBeVisible();
    await motDePasse.choose('Lycee-Paris-2010');
    const coordonnees = new CoordonneesPage(child);
    await coordonnees.expectLoaded();
    await child.getByRole('textbox', { name: /^Adresse électronique/ }).fill(LEA_EMAIL);
    await child.getByRole('button', { name: 'Recevoir un code' }).click();
    const codePage = new CodePage(child);
    await codePage.expectLoaded();
    const messages2 = new MessagesPage(await newPage(browser));
    await messages2.goto();
    const six = await messages2.latestEmailCode(LEA_EMAIL);
    await codePage.enter(six);
  });

  await test.step('Léa ne voit que ce que la matrice lui ouvre', async () => {
    await expect(child).toHaveURL(/\/mon-compte$/);
    await expect(child.locator('.fr-header__tools-links [data-current-user]')).toHaveText(
      'Léa MARTIN',
    );
    await expect(child.getByText('réservées à l’allocataire')).toBeVisible();
    await expect(child.getByText(PAYMENTS)).toHaveCount(0);
    await expectNoAxeViolations(child);
    const refused = await child.goto('/mon-compte/foyer');
    expect(refused?.status()).toBe(403);
    await expect(
      child.getByRole('heading', { level: 1, name: 'Accès non autorisé' }),
    ).toBeVisible();
    await expectNoAxeViolations(child);
  });
});

test('une délégation accordée puis retirée change les pages du conjoint à la requête suivante', async ({
  browser,
}) => {
  const parent = await newPage(browser);
  await login(parent, camille.nir, camille.password);
  const partner = await newPage(browser);
  await login(partner, julien.nir, julien.password);
  await expect(partner.getByText(PAYMENTS)).toHaveCount(0);

  await parent.goto('/mon-compte/foyer');
  await parent.getByRole('button', { name: 'Donner délégation à Julien' }).click();
  await expect(parent.getByText('Délégation accordée à Julien')).toBeVisible();
  await partner.reload();
  await expect(partner.getByText(PAYMENTS)).toBeVisible();
  await expectNoAxeViolations(partner);

  await parent.getByRole('button', { name: 'Retirer la délégation de Julien' }).click();
  await expect(parent.getByText('Délégation retirée à Julien')).toBeVisible();
  await partner.reload();
  await expect(partner.getByText(PAYMENTS)).toHaveCount(0);
});
