import { expect, type Locator, type Page } from '@playwright/test';

/** /connexion: sign-in with a NIR and a password. */
export class ConnexionPage {
  readonly heading: Locator;
  readonly nir: Locator;
  readonly password: Locator;
  readonly showPassword: Locator;
  readonly submit: Locator;
  readonly errorSummary: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Connexion à Mon Compte' });
    // The accessible name also holds the hint (DSFR puts it inside the label).
    this.nir = page.getByRole('textbox', { name: /^Numéro de sécurité sociale/ });
    this.password = page.locator('#password');
    // The DSFR checkbox input is visually hidden; its label is what a user clicks.
    this.showPassword = page.locator('label[for="password-show"]');
    this.submit = page.getByRole('button', { name: 'Se connecter' });
    this.errorSummary = page.locator('#error-summary');
  }

  async goto(): Promise<void> {
    await this.page.goto('/connexion');
    await expect(this.heading).toBeVisible();
  }

  async login(nir: string, password: string): Promise<void> {
    await this.nir.fill(nir);
    await this.password.fill(password);
    await this.submit.click();
  }

  /** The error message under a field (DSFR `fr-message--error`). */
  fieldError(name: 'nir' | 'password'): Locator {
    return this.page.locator(`#${name}-error`);
  }
}
