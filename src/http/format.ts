/** French wording of dates and times on our pages (Europe/Paris, whatever the server's zone). */

const hourMinute = new Intl.DateTimeFormat('fr-FR', {
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'Europe/Paris',
});

/** "14 h 05", "9 h 04" (French usage: no leading zero on the hour): when to try again. */
export function retryTime(at: Date): string {
  const parts = hourMinute.formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${String(Number(part('hour')))} h ${part('minute')}`;
}
