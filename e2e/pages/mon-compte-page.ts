import { expect, type Locator, type Page } from '@playwright/test';

/** /mon-compte: the signed-in home page, and the header shown to a signed-in user. */
export class MonComptePage {
  readonly heading: Locator;
  readonly logoutButton: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Mon Compte' });
    this.logoutButton = page.getByRole('banner').getByRole('button', { name: 'Se déconnecter' });
  }

  async goto(): Promise<void> {
    await this.page.goto('/mon-compte');
  }

  async expectLoaded(): Promise<void> {
    await expect(this.page).toHaveURL(/\/mon-compte$/);
    await expect(this.heading).toBeVisible();
  }

  /**
   * The signed-in user's name, as the header shows it. DSFR's header script copies the tool
   * links into the (mobile) menu modal: the copy there is not the one on screen.
   */
  headerName(): Locator {
    return this.page.locator('.fr-header__tools-links [data-current-user]');
  }

  dossier(number: string): Locator {
    return this.page.locator(`[data-dossier="${number}"]`);
  }

  async logout(): Promise<void> {
    await this.logoutButton.click();
    await expect(this.page).toHaveURL(/\/deconnexion$/);
  }
}
