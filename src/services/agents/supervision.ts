import { listIncidents } from '#src/db/repositories/incidents.ts';
import { readMaintenance } from '#src/db/repositories/maintenance.ts';
import { agentMay, type AgentPrincipal } from '#src/domain/agent-access.ts';
import { maintenanceState } from '#src/domain/maintenance.ts';
import type { Actor } from '../actor.ts';
import type { Deps } from '../deps.ts';
import {
  cancelIncidentDemarches,
  closeIncident,
  declareIncident,
  revokeIncidentSessions,
  sendIncidentNotices,
} from '../incidents/actions.ts';
import { cnilDocuments } from '../incidents/cnil.ts';
import { incidentReport } from '../incidents/report.ts';
import { planMaintenance, switchMaintenanceOff, switchMaintenanceOn } from '../maintenance.ts';

/**
 * The console's maintenance and incident pages (issue 10): the very services of the command
 * line, run for a superviseur only (null otherwise), the agent written as the audit's actor.
 */
export function buildSupervision(deps: Deps) {
  const asAgent = (agent: AgentPrincipal): Actor => ({
    agentId: agent.agentId,
    name: agent.displayName,
  });
  const may = (agent: AgentPrincipal) => agentMay(agent.role, 'supervise');
  const act =
    <R extends unknown[], T>(fn: (s: Deps, actor: Actor, ...rest: R) => Promise<T>) =>
    async (agent: AgentPrincipal, ...rest: R): Promise<T | null> =>
      may(agent) ? fn(deps, asAgent(agent), ...rest) : null;
  const read =
    <R extends unknown[], T>(fn: (s: Deps, ...rest: R) => Promise<T>) =>
    async (agent: AgentPrincipal, ...rest: R): Promise<T | null> =>
      may(agent) ? fn(deps, ...rest) : null;
  return {
    maintenance: {
      state: read(async (s: Deps) => {
        const { window, now } = await readMaintenance(s.pool);
        return { state: maintenanceState(window, now), message: window.message };
      }),
      on: act(switchMaintenanceOn),
      plan: act(planMaintenance),
      off: act(switchMaintenanceOff),
    },
    incidents: {
      list: read(async (s: Deps) => listIncidents(s.pool)),
      declare: act(declareIncident),
      report: read(incidentReport),
      revokeSessions: act(revokeIncidentSessions),
      cancelDemarches: act(cancelIncidentDemarches),
      notify: act(sendIncidentNotices),
      close: act(closeIncident),
      cnil: read(cnilDocuments),
    },
  };
}

export type Supervision = ReturnType<typeof buildSupervision>;
