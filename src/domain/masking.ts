/** IBAN shown grouped by four with everything but the country, check digits and last 3 hidden. */
export function maskIban(iban: string): string {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 8) return '•'.repeat(compact.length);
  const visibleTail = 3;
  const masked =
    compact.slice(0, 4) +
    '•'.repeat(compact.length - 4 - visibleTail) +
    compact.slice(compact.length - visibleTail);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}
