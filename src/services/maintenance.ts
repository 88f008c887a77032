import { isConnectionError, isTransientDatabaseError } from '#src/connection-errors.ts';
import { withTransaction } from '#src/db/pool.ts';
import {
  endPublicSessionsOnce,
  readMaintenance,
  writeMaintenance,
  type MaintenanceSetting,
} from '#src/db/repositories/maintenance.ts';
import { maintenanceState, type MaintenanceState } from '#src/domain/maintenance.ts';
import { actorAgentId, actorName, type Actor } from './actor.ts';
import type { Deps } from './deps.ts';

/**
 * The maintenance state for this request: one primary-key read of a one-row table, no cache
 * (ADR 0012), so a switch made on any instance applies to every instance's next request.
 * When the window has begun and asks for it, the public sessions are ended here, once.
 */
export async function currentMaintenance(s: Pick<Deps, 'pool'>): Promise<MaintenanceState> {
  let read: MaintenanceRead;
  try {
    read = await readMaintenance(s.pool);
  } catch (error) {
    // No database: no switch to read. Pages that need none still render (errors.test.ts);
    // the others answer the outage's own 503.
    if (isConnectionError(error) || isTransientDatabaseError(error)) return { mode: 'off' };
    throw error;
  }
  return maintenanceOf(s, read);
}

/** The maintenance row as one statement read it, with the database's clock. */
export type MaintenanceRead = Awaited<ReturnType<typeof readMaintenance>>;

/**
 * The state for a row already read (a signed-in request reads it with its session, ADR 0014):
 * when the window has begun and asks for it, the public sessions are ended here, once.
 */
export async function maintenanceOf(
  s: Pick<Deps, 'pool'>,
  read: MaintenanceRead,
): Promise<MaintenanceState> {
  const state = maintenanceState(read.window, read.now);
  if (state.mode === 'on' && state.endSessionsNow) await endPublicSessionsOnce(s.pool);
  return state;
}

export type AuditActor = Actor;

async function setMaintenance(
  s: Pick<Deps, 'pool'>,
  actor: AuditActor,
  setting: MaintenanceSetting | null,
): Promise<{ state: MaintenanceState; sessionsEnded: number }> {
  return withTransaction(s.pool, async (tx) => {
    await writeMaintenance(tx, setting);
    const sessionsEnded = await endPublicSessionsOnce(tx);
    const { window, now } = await readMaintenance(tx);
    await tx.query(`INSERT INTO audit_log (actor_agent_id, action, details) VALUES ($1, $2, $3)`, [
      actorAgentId(actor),
      setting ? 'maintenance-set' : 'maintenance-off',
      { actor: actorName(actor), ...setting, sessionsEnded },
    ]);
    return { state: maintenanceState(window, now), sessionsEnded };
  });
}

/** Closes the public site now (until `endsAt`, or until switched off). */
export async function switchMaintenanceOn(
  s: Pick<Deps, 'pool'>,
  actor: AuditActor,
  options: { endsAt: Date | null; message: string | null; endSessions: boolean },
) {
  return setMaintenance(s, actor, { startsAt: null, ...options });
}

/** Plans a window: a banner on every page until it begins, then the maintenance page. */
export async function planMaintenance(
  s: Pick<Deps, 'pool'>,
  actor: AuditActor,
  options: { startsAt: Date; endsAt: Date; message: string | null; endSessions: boolean },
) {
  return setMaintenance(s, actor, options);
}

export async function switchMaintenanceOff(s: Pick<Deps, 'pool'>, actor: AuditActor) {
  return setMaintenance(s, actor, null);
}
