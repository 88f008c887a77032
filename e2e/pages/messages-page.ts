import { expect, type Locator, type Page } from '@playwright/test';

/**
 * /developpement/messages (development and test only): what the portal sent. In e2e the app
 * runs with NODE_ENV=test and no SMTP_URL, so src/main.ts starts the local SMTP catcher and
 * e-mails really go over SMTP before they are listed here, newest first.
 */
export class MessagesPage {
  readonly heading: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', {
      level: 1,
      name: 'Messages envoyés (développement)',
    });
    this.rows = page.locator('tr[data-outbox-message]');
  }

  async goto(): Promise<void> {
    await this.page.goto('/developpement/messages');
    await expect(this.heading).toBeVisible();
  }

  /** The newest message of a channel ("Courriel", "SMS"…) to a recipient with a subject. */
  latest(channel: string, recipient: string, subject: string): Locator {
    return this.rows
      .filter({ has: this.page.getByRole('cell', { name: channel, exact: true }) })
      .filter({ has: this.page.getByRole('cell', { name: recipient, exact: true }) })
      .filter({ has: this.page.getByRole('cell', { name: subject, exact: true }) })
      .first();
  }

  /** The 6-digit code in the newest "Votre code Mon Compte" e-mail to `email`. */
  async latestEmailCode(email: string): Promise<string> {
    const row = this.latest('Courriel', email, 'Votre code Mon Compte');
    await expect(row).toBeVisible();
    const body = await row.locator('pre').innerText();
    const code = /\best : (\d{6})\b/.exec(body)?.[1];
    if (!code) throw new Error(`no 6-digit code in the message to ${email}:\n${body}`);
    return code;
  }
}
