// Issue 10, the console's incident pages: the superviseur logs in with TOTP (the code computed
// here with otplib), declares an incident over the last hour, reads its report and downloads the
// CNIL facts as JSON, whose numbers are the report's.
//
// Changes: one incident row (and its audit row) is added; no action is run on it (revoking the
// hour's sessions would end other specs' sessions) and maintenance is never switched on.
// TOTP: only this spec logs the superviseur in, so its code is never a replay of another spec's
// (a code is good once per agent and 30-s step); a spec logging the superviseur in later must
// wait for the next step.
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { generate } from 'otplib';
import { formatParisDateTime } from '../src/http/paris-time.ts';
import { demoAgents } from '../src/seed/demo.ts';
import { expectNoAxeViolations } from './support/axe.ts';
import { watchForErrors } from './support/console-errors.ts';

const superviseur = demoAgents.find((a) => a.role === 'superviseur');
if (!superviseur) throw new Error('demo agent superviseur not found');

let errors: string[] = [];
test.beforeEach(({ page }) => {
  errors = watchForErrors(page);
});
test.afterEach(() => {
  expect(errors, 'no console error, CSP violation or uncaught exception').toEqual([]);
});

test('superviseur : déclarer un incident sur la dernière heure, son rapport, les éléments CNIL', async ({
  page,
}) => {
  const description = `Incident e2e ${String(Date.now())}`;

  await test.step('connexion avec le code TOTP', async () => {
    await page.goto('/agents/connexion');
    await page.getByRole('textbox', { name: /^Identifiant/ }).fill(superviseur.login);
    await page.locator('#password').fill(superviseur.password);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(
      'Code de l’application d’authentification',
    );
    const code = await generate({ secret: superviseur.totpSecret });
    await page.getByRole('textbox', { name: /^Code à 6 chiffres/ }).fill(code);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Console des agents');
  });

  await test.step('Incidents, puis une déclaration incomplète : l’erreur à côté du champ', async () => {
    await page.getByRole('link', { name: 'Incidents' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Incidents de sécurité');
    await expectNoAxeViolations(page);
    await page.getByRole('button', { name: 'Déclarer l’incident' }).click();
    await expect(page.locator('#debut-error')).toBeVisible();
    await expect(page.locator('#description-error')).toHaveText('Décrivez l’incident.');
    await expectNoAxeViolations(page);
  });

  await test.step('déclarer sur la dernière heure, fin : maintenant', async () => {
    const debut = formatParisDateTime(new Date(Date.now() - 3_600_000));
    await page.getByRole('textbox', { name: /^Début de la période/ }).fill(debut);
    await page.getByRole('textbox', { name: /^Fin de la période/ }).fill('');
    await page.getByRole('textbox', { name: /^Description/ }).fill(description);
    await page.getByRole('button', { name: 'Déclarer l’incident' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(/^Incident n° \d+$/);
    await expect(page.getByText(description)).toBeVisible();
    await expect(page.locator('[data-report]')).toBeVisible();
    await expectNoAxeViolations(page);
  });

  await test.step('les éléments pour la CNIL en JSON : les chiffres du rapport', async () => {
    const shown = async (key: string) =>
      Number(await page.locator(`[data-n="${key}"]`).textContent());
    const report = {
      sessionsInWindow: await shown('sessions'),
      foreignDisplays: await shown('foreign'),
      demarchesInWindow: await shown('demarches'),
      toContact: await shown('contacts'),
      notConcerned: await shown('non-concernes'),
    };
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^incident-\d+-cnil\.json$/);
    const facts: unknown = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(facts).toMatchObject({
      incident: { description },
      persons: {
        sessionsInWindow: report.sessionsInWindow,
        toContact: report.toContact,
        notConcerned: report.notConcerned,
      },
      records: {
        foreignDisplays: report.foreignDisplays,
        demarchesInWindow: report.demarchesInWindow,
      },
    });
  });
});
