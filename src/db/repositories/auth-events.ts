import type { AuthMethod } from '#src/domain/principal.ts';
import type { Queryable } from '../pool.ts';

export type AuthOutcome = 'success' | 'failure';

export interface AuthEventRow {
  readonly at: Date;
  readonly outcome: AuthOutcome;
  readonly method: AuthMethod;
  readonly userAgent: string | null;
}

export async function insertAuthEvent(
  db: Queryable,
  event: {
    personId: string;
    at: Date;
    outcome: AuthOutcome;
    method: AuthMethod;
    userAgent: string | null;
  },
): Promise<void> {
  await db.query(
    'INSERT INTO auth_events (person_id, at, outcome, method, user_agent) VALUES ($1, $2, $3, $4, $5)',
    [event.personId, event.at, event.outcome, event.method, event.userAgent],
  );
}

export async function recentAuthEvents(
  db: Queryable,
  personId: string,
  limit: number,
): Promise<AuthEventRow[]> {
  const r = await db.query<AuthEventRow>(
    `SELECT at, outcome, method, user_agent AS "userAgent" FROM auth_events
      WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows;
}
