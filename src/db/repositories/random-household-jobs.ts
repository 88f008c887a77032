import type { Queryable } from '../pool.ts';

export interface RandomHouseholdJob {
  readonly id: string;
  readonly requested: number;
  readonly created: number;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
  readonly failedAt: Date | null;
}

const columns = `id, requested, created, started_at AS "startedAt", finished_at AS "finishedAt",
                 failed_at AS "failedAt"`;

/** A running job silent this long died with its process: it no longer blocks a new one. */
const ABANDONED_AFTER = '10 minutes';

/** Starts a job, or null when one is already running (the partial unique index decides). */
export async function startRandomHouseholdJob(
  db: Queryable,
  agentId: string,
  requested: number,
): Promise<RandomHouseholdJob | null> {
  await db.query(
    `UPDATE random_household_jobs SET failed_at = now()
      WHERE finished_at IS NULL AND failed_at IS NULL AND updated_at < now() - interval '${ABANDONED_AFTER}'`,
  );
  const r = await db.query<RandomHouseholdJob>(
    `INSERT INTO random_household_jobs (agent_id, requested) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING ${columns}`,
    [agentId, requested],
  );
  return r.rows[0] ?? null;
}

export async function recordRandomHouseholdProgress(
  db: Queryable,
  id: string,
  created: number,
): Promise<void> {
  await db.query(
    'UPDATE random_household_jobs SET created = $2, updated_at = now() WHERE id = $1',
    [id, created],
  );
}

export async function endRandomHouseholdJob(
  db: Queryable,
  id: string,
  outcome: 'finished' | 'failed',
): Promise<void> {
  await db.query(
    outcome === 'finished'
      ? 'UPDATE random_household_jobs SET finished_at = now(), updated_at = now() WHERE id = $1'
      : 'UPDATE random_household_jobs SET failed_at = now(), updated_at = now() WHERE id = $1',
    [id],
  );
}

/** The latest job: the one running, or the last one ended. */
export async function latestRandomHouseholdJob(db: Queryable): Promise<RandomHouseholdJob | null> {
  const r = await db.query<RandomHouseholdJob>(
    `SELECT ${columns} FROM random_household_jobs ORDER BY started_at DESC, id LIMIT 1`,
  );
  return r.rows[0] ?? null;
}
