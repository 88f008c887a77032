/** Maintenance mode (ADR 0012): what the one shared row means at a given moment. Pure. */

/** The seed documents' wording, shown on every public page while the site is closed. */
export const MAINTENANCE_TEXT =
  'Le site des Allocations familiales est en maintenance. Merci de bien vouloir vous reconnecter ultérieurement.';

/** Retry-After when no end is planned: an hour, so clients and crawlers come back. */
export const DEFAULT_RETRY_AFTER_SECONDS = 3600;

export interface MaintenanceWindow {
  readonly startsAt: Date | null;
  /** null with a start: until switched off. */
  readonly endsAt: Date | null;
  readonly message: string | null;
  readonly endSessions: boolean;
  readonly sessionsEndedAt: Date | null;
}

export type MaintenanceState =
  | { readonly mode: 'off' }
  | { readonly mode: 'planned'; readonly startsAt: Date; readonly endsAt: Date | null }
  | {
      readonly mode: 'on';
      readonly startsAt: Date;
      readonly endsAt: Date | null;
      readonly message: string | null;
      readonly retryAfterSeconds: number;
      /** Public sessions are to be ended now (asked for, and not yet done for this window). */
      readonly endSessionsNow: boolean;
    };

export function maintenanceState(w: MaintenanceWindow, now: Date): MaintenanceState {
  const { startsAt, endsAt } = w;
  if (!startsAt || (endsAt && endsAt <= now)) return { mode: 'off' };
  if (startsAt > now) return { mode: 'planned', startsAt, endsAt };
  const retryAfterSeconds = endsAt
    ? Math.max(60, Math.ceil((endsAt.getTime() - now.getTime()) / 1000))
    : DEFAULT_RETRY_AFTER_SECONDS;
  return {
    mode: 'on',
    startsAt,
    endsAt,
    message: w.message,
    retryAfterSeconds,
    endSessionsNow: w.endSessions && (!w.sessionsEndedAt || w.sessionsEndedAt < startsAt),
  };
}

/** Requests under this prefix (the agents' realm) are never closed by maintenance. */
export const AGENTS_PREFIX = '/agents';

export function isExemptFromMaintenance(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return path === AGENTS_PREFIX || path.startsWith(`${AGENTS_PREFIX}/`);
}
