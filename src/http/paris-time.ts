/** « JJ/MM/AAAA HH:MM » typed in Europe/Paris ↔ an instant, whatever the server's zone. */

const parts = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function parisFields(at: Date): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts.formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Paris's offset from UTC at that instant, in ms. */
function offsetAt(at: Date): number {
  const f = parisFields(at);
  const asUtc = Date.UTC(f.year ?? 0, (f.month ?? 1) - 1, f.day ?? 1, f.hour ?? 0, f.minute ?? 0);
  return asUtc - Math.floor(at.getTime() / 60_000) * 60_000;
}

/** The instant of a Paris wall-clock time, or null when unreadable or nonexistent. */
export function parseParisDateTime(value: string): Date | null {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:h](\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [day = 0, month = 0, year = 0, hour = 0, minute = 0] = m.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // Two passes: the offset of the guess, then of the result (a change of time in between).
  const guess = new Date(wall - offsetAt(new Date(wall)));
  const at = new Date(wall - offsetAt(guess));
  const f = parisFields(at);
  const same =
    f.year === year && f.month === month && f.day === day && f.hour === hour && f.minute === minute;
  return same ? at : null;
}

/** The Paris wall-clock time of an instant, as the form shows it: JJ/MM/AAAA HH:MM. */
export function formatParisDateTime(at: Date): string {
  const f = parisFields(at);
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${two(f.day)}/${two(f.month)}/${String(f.year)} ${two(f.hour)}:${two(f.minute)}`;
}
