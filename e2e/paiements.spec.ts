import { expect, test } from '@playwright/test';
import { demoPersonas } from '../src/seed/demo.ts';
import { ConnexionPage } from './pages/connexion-page.ts';
import { MonComptePage } from './pages/mon-compte-page.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

// Reads only: Camille MARTIN's payments are never changed by this or another spec.
const persona = demoPersonas().find((p) => p.key === 'allocataire-migre');
if (!persona?.nir || !persona.password) throw new Error('demo persona allocataire-migre not found');
const { nir, password } = persona;

let errors: string[] = [];
test.beforeEach(({ page }) => {
  errors = watchForErrors(page);
});
test.afterEach(() => {
  expect(errors, 'no console error, CSP violation or uncaught exception').toEqual([]);
});

test('Mes paiements : navigation, graphique, tableau, détail d’un paiement (allocataire-migre)', async ({
  page,
}) => {
  const monCompte = new MonComptePage(page);

  await test.step('connexion', async () => {
    const connexion = new ConnexionPage(page);
    await connexion.goto();
    await connexion.login(nir, password);
    await monCompte.expectLoaded();
  });

  await test.step('« Mes paiements » depuis la navigation', async () => {
    const nav = page.getByRole('navigation', { name: 'Menu principal' });
    await nav.getByRole('link', { name: 'Mes paiements' }).click();
    await expect(page).toHaveURL(/\/mon-compte\/paiements$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mes paiements');
    await expect(nav.getByRole('link', { name: 'Mes paiements' })).toHaveAttribute(
      'aria-current',
      'page',
    );
  });

  await test.step('le graphique (image nommée) et le tableau, son équivalent textuel', async () => {
    const chart = page.getByRole('img', { name: /Paiements par mois et par prestation/ });
    await expect(chart).toBeVisible();
    await expect(page.locator('[data-chart] rect[data-benefit]').first()).toBeVisible();
    await expect(page.getByText('Les mêmes montants figurent, mois par mois')).toBeVisible();
    const firstTable = page.getByRole('table').first();
    await expect(firstTable.getByRole('columnheader', { name: 'Montant versé' })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Allocations familiales' }).first()).toBeVisible();
    await expectNoAxeViolations(page);
  });

  await test.step('une année choisie dans le filtre', async () => {
    // Last year: whole within the 24 months, whatever today's date.
    const year = String(new Date().getUTCFullYear() - 1);
    await page.getByLabel('Période affichée').selectOption(year);
    await page.getByRole('button', { name: 'Afficher' }).click();
    await expect(page).toHaveURL(new RegExp(`annee=${year}`));
    await expect(page.locator('[data-mois]').first()).toHaveAttribute(
      'data-mois',
      new RegExp(`^${year}-`),
    );
    await expectNoAxeViolations(page);
  });

  await test.step('le détail d’un paiement', async () => {
    await page.getByRole('link', { name: 'Allocations familiales' }).first().click();
    await expect(page).toHaveURL(/\/mon-compte\/paiements\/\d+$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('Allocations familiales');
    await expect(page.locator('[data-gross]')).toContainText('€');
    await expect(page.locator('[data-net]')).toContainText('€');
    await expect(page.locator('[data-period]')).not.toBeEmpty();
    await expect(page.locator('[data-iban]')).toHaveText('FR76 •••• •••• •••• •••• •••• 189');
    await expectNoAxeViolations(page);
    await page.getByRole('link', { name: 'Retour à mes paiements' }).click();
    await expect(page).toHaveURL(/\/mon-compte\/paiements$/);
  });
});
