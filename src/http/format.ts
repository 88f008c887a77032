/** French wording of dates and times on our pages (Europe/Paris, whatever the server's zone). */

const hourMinute = new Intl.DateTimeFormat('fr-FR', {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/Paris',
});

/** "14 h 05": the time a throttled person may try again. */
export function retryTime(at: Date): string {
  return hourMinute.format(at).replace(':', ' h ');
}
