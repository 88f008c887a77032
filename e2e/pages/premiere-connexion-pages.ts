import { expect, type Locator, type Page } from '@playwright/test';

/** The live password rules of the new-password component (`data-rule` messages). */
export const PASSWORD_RULES = ['length', 'lowercase', 'uppercase', 'digit'] as const;
export type PasswordRule = (typeof PASSWORD_RULES)[number];
type RuleState = 'info' | 'valid' | 'error';
const RULE_STATES: readonly RuleState[] = ['info', 'valid', 'error'];

/** /premiere-connexion: step 1, create a personal password. */
export class MotDePassePage {
  readonly heading: Locator;
  readonly password: Locator;
  readonly submit: Locator;
  readonly errorSummary: Locator;
  readonly fieldError: Locator;

  constructor(readonly page: Page) {
    // The stepper puts "Étape 1 sur 2" inside the h1.
    this.heading = page.getByRole('heading', { level: 1, name: /^Créer mon mot de passe/ });
    // exact: the "Afficher" checkbox is labelled "Afficher le mot de passe".
    this.password = page.getByLabel('Nouveau mot de passe', { exact: true });
    this.submit = page.getByRole('button', { name: 'Créer mon mot de passe' });
    this.errorSummary = page.locator('#error-summary');
    this.fieldError = page.locator('#password-error');
  }

  async expectLoaded(): Promise<void> {
    await expect(this.page).toHaveURL(/\/premiere-connexion$/);
    await expect(this.heading).toBeVisible();
  }

  /** The message of one policy rule under the field, restyled live by public/mot-de-passe.js. */
  rule(name: PasswordRule): Locator {
    return this.page.locator(`#password-messages [data-rule="${name}"]`);
  }

  /**
   * Asserts the state of every rule message: `valid` / `error` (DSFR fr-message--valid /
   * fr-message--error), or `info` while the field is empty.
   */
  async expectRules(states: Readonly<Record<PasswordRule, RuleState>>): Promise<void> {
    for (const name of PASSWORD_RULES) {
      const state = states[name];
      const message = this.rule(name);
      await expect(message, `rule ${name}`).toHaveClass(new RegExp(`\\bfr-message--${state}\\b`));
      for (const other of RULE_STATES.filter((s) => s !== state)) {
        await expect(message, `rule ${name}`).not.toHaveClass(
          new RegExp(`\\bfr-message--${other}\\b`),
        );
      }
    }
  }

  async choose(password: string): Promise<void> {
    await this.password.fill(password);
    await this.submit.click();
  }
}

/** /premiere-connexion/coordonnees: step 2, where to send the validation code. */
export class CoordonneesPage {
  readonly heading: Locator;
  readonly byEmail: Locator;
  readonly bySms: Locator;
  readonly email: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: /^Valider mes coordonnées/ });
    this.byEmail = page.getByRole('radio', { name: 'Par courriel' });
    this.bySms = page.getByRole('radio', { name: 'Par SMS' });
    // The accessible name also holds the hint (DSFR puts it inside the label).
    this.email = page.getByRole('textbox', { name: /^Adresse électronique/ });
    this.submit = page.getByRole('button', { name: 'Recevoir un code' });
  }

  async expectLoaded(): Promise<void> {
    await expect(this.page).toHaveURL(/\/premiere-connexion\/coordonnees$/);
    await expect(this.heading).toBeVisible();
  }
}

/** /premiere-connexion/code: the 6-digit code received. */
export class CodePage {
  readonly heading: Locator;
  readonly code: Locator;
  readonly submit: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: 'Saisir le code reçu' });
    this.code = page.getByRole('textbox', { name: /^Code à 6 chiffres/ });
    this.submit = page.getByRole('button', { name: 'Valider' });
  }

  async expectLoaded(): Promise<void> {
    await expect(this.page).toHaveURL(/\/premiere-connexion\/code$/);
    await expect(this.heading).toBeVisible();
  }

  async enter(code: string): Promise<void> {
    await this.code.fill(code);
    await this.submit.click();
  }
}
