import type { Deps } from './deps.ts';

/** Whether the database answers: what /sante reports to load balancers. */
export async function databaseReachable(s: Deps): Promise<boolean> {
  try {
    await s.pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
