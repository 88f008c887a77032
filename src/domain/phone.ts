/** The phone channel (serveur vocal): its pure rules. */

/**
 * May the old 8-digit household password be used on the phone today? Always before the web
 * migration (no personal account yet); after it, until the dossier's own date or the configured
 * cut-off, inclusive. Dates are YYYY-MM-DD (Paris), compared as text.
 */
export function phoneLegacyPasswordValid(input: {
  readonly migrated: boolean;
  readonly dossierUntil: string | null;
  readonly configuredCutoff: string;
  readonly today: string;
}): boolean {
  if (!input.migrated) return true;
  return input.today <= (input.dossierUntil ?? input.configuredCutoff);
}

/** The Caf pays monthly benefits on the 5th: the next such day, today excluded once paid. */
export const PAYMENT_DAY = 5;

export function nextPaymentDate(today: string): string {
  const [y = 0, m = 1, d = 1] = today.split('-').map(Number);
  const [year, month] = d < PAYMENT_DAY ? [y, m] : m === 12 ? [y + 1, 1] : [y, m + 1];
  return `${String(year)}-${String(month).padStart(2, '0')}-${String(PAYMENT_DAY).padStart(2, '0')}`;
}

const parisDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The day in Paris, YYYY-MM-DD. */
export function parisDay(at: Date): string {
  return parisDate.format(at);
}

export function isAllocataireNumber(text: string): boolean {
  return /^\d{7}$/.test(text);
}

export function isLegacyPassword(text: string): boolean {
  return /^\d{8}$/.test(text);
}
