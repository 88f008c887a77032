import { loadConfig } from '#src/config.ts';
import { openDatabase } from '#src/db/connect.ts';
import { buildDeps } from '#src/services/deps.ts';
import { commandActor, type Say } from './arguments.ts';
import { INCIDENT_USAGE, incidentCommand } from './incident-cli.ts';
import { MAINTENANCE_USAGE, maintenanceCommand } from './maintenance-cli.ts';

export const ISSUE_10_USAGE = MAINTENANCE_USAGE + INCIDENT_USAGE;

/** Maintenance and incident commands, on their own database connection; the exit code. */
export async function runIssue10Command(
  command: 'maintenance' | 'incident',
  args: readonly string[],
  say: Say,
): Promise<number> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const deps = await buildDeps(config, db.pool);
    try {
      const run = command === 'maintenance' ? maintenanceCommand : incidentCommand;
      return await run(deps, commandActor(), args, say);
    } finally {
      await deps.notifier.close();
    }
  } catch (error) {
    if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      say(error.message);
      return 2;
    }
    throw error;
  } finally {
    await db.close();
  }
}
