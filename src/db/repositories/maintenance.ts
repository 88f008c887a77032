import type { MaintenanceWindow } from '#src/domain/maintenance.ts';
import type { Queryable } from '../pool.ts';

/** The one row, by primary key, with the database's clock (shared by every instance). */
export async function readMaintenance(
  db: Queryable,
): Promise<{ window: MaintenanceWindow; now: Date }> {
  const r = await db.query<MaintenanceWindow & { now: Date }>(
    `SELECT starts_at AS "startsAt", ends_at AS "endsAt", message, end_sessions AS "endSessions",
            sessions_ended_at AS "sessionsEndedAt", now() AS now
       FROM maintenance WHERE id`,
  );
  const row = r.rows[0];
  if (!row) throw new Error('maintenance row missing (migration 018)');
  const { now, ...window } = row;
  return { window, now };
}

export interface MaintenanceSetting {
  /** null: now. */
  readonly startsAt: Date | null;
  readonly endsAt: Date | null;
  readonly message: string | null;
  readonly endSessions: boolean;
}

export async function writeMaintenance(db: Queryable, s: MaintenanceSetting | null): Promise<void> {
  await db.query(
    `UPDATE maintenance
        SET starts_at = CASE WHEN $1 THEN coalesce($2::timestamptz, now()) END,
            ends_at = $3, message = $4, end_sessions = coalesce($5, false),
            sessions_ended_at = NULL, updated_at = now()
      WHERE id`,
    [
      s !== null,
      s?.startsAt ?? null,
      s?.endsAt ?? null,
      s?.message ?? null,
      s?.endSessions ?? null,
    ],
  );
}

/**
 * Ends every live public session, once per maintenance window: one statement that claims the
 * window's row and revokes the sessions only if it was the one to claim it.
 */
export async function endPublicSessionsOnce(db: Queryable): Promise<number> {
  const r = await db.query(
    `WITH claim AS (
       UPDATE maintenance SET sessions_ended_at = now()
        WHERE id AND end_sessions AND starts_at <= now()
          AND (sessions_ended_at IS NULL OR sessions_ended_at < starts_at)
       RETURNING 1)
     UPDATE sessions SET revoked_at = now(), revoked_reason = 'maintenance'
      WHERE revoked_at IS NULL AND expires_at > now() AND EXISTS (SELECT 1 FROM claim)`,
  );
  return r.rowCount ?? 0;
}
