import { expect, type Locator, type Page } from '@playwright/test';

/**
 * /developpement/messages (development and test only): what the portal sent. In e2e the app
 * runs with NODE_ENV=test and no SMTP_URL, so src/main.ts starts the local SMTP catcher and
 * e-mails really go over SMTP before they are listed here, newest first. Messages leave through
 * the outbox's worker, a moment after the page that sent them: `arrived` reloads until then.
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

  /** `latest`, once it is listed: reloads the page (a bounded number of times) until then. */
  async arrived(channel: string, recipient: string, subject: string): Promise<Locator> {
    const row = this.latest(channel, recipient, subject);
    await expect(async () => {
      if (!(await row.isVisible())) await this.goto();
      await expect(row).toBeVisible({ timeout: 500 });
    }).toPass({ intervals: [250], timeout: 15_000 });
    return row;
  }

  /** The 6-digit code in the newest "Votre code Mon Compte" e-mail to `email`. */
  async latestEmailCode(email: string): Promise<string> {
    const row = await this.arrived('Courriel', email, 'Votre code Mon Compte');
    const body = await row.locator('pre').innerText();
    const code = /\best : (\d{6})\b/.exec(body)?.[1];
    if (!code) throw new Error(`no 6-digit code in the message to ${email}:\n${body}`);
    return code;
  }
}
