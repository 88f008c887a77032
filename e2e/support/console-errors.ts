import type { Page } from '@playwright/test';

/**
 * Console errors and uncaught exceptions of a page (a CSP violation is a console error).
 * Chromium also logs the page's own HTTP error statuses; those listed in `expected` are
 * answers the test asks for (a refused form, a 403 page).
 */
export function watchForErrors(page: Page, expected: readonly number[] = [400, 401]): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const status = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(
      text,
    )?.[1];
    if (status && expected.includes(Number(status))) return;
    errors.push(`console: ${text} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}
