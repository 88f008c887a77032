import { consultationsOf, listAgents } from '#src/db/repositories/agents.ts';
import { agentMay, reasonLabels, type AgentPrincipal } from '#src/domain/agent-access.ts';
import type { Principal } from '#src/domain/principal.ts';
import type { Deps } from '../deps.ts';
import { agentEnrolment, checkAgentCode, checkAgentPassword } from './agent-login.ts';
import { closeAgentSession, resolveAgent, type AgentClaims } from './agent-sessions.ts';
import { assignNirAsAgent, intervene } from './interventions.ts';
import { openPersonSheet, searchPeople } from './lookup.ts';
import { buildSupervision } from './supervision.ts';
import { randomHouseholdsProgress, startRandomHouseholds } from './random-households.ts';
import { disableTeamMember, teamMember } from './team.ts';
import { listTestDossiers, resetTestPersona } from './test-dossiers.ts';

/** The agents' console's use cases, bound to their dependencies (like services/use-cases.ts). */
export function buildAgentUseCases(deps: Deps) {
  const use =
    <A extends unknown[], R>(useCase: (s: Deps, ...args: A) => R) =>
    (...args: A): R =>
      useCase(deps, ...args);
  return {
    resolve: (claims: AgentClaims) => resolveAgent(deps, claims),
    logOut: use(closeAgentSession),
    checkPassword: use(checkAgentPassword),
    enrolment: use(agentEnrolment),
    checkCode: use(checkAgentCode),
    search: use(searchPeople),
    openSheet: use(openPersonSheet),
    intervene: use(intervene),
    assignNir: use(assignNirAsAgent),
    testDossiers: use(listTestDossiers),
    resetPersona: use(resetTestPersona),
    teamMember: use(teamMember),
    disableTeamMember: use(disableTeamMember),
    startRandomHouseholds: use(startRandomHouseholds),
    randomHouseholdsProgress: use(randomHouseholdsProgress),
    /** For the person's own history: when the Caf consulted their file. */
    consultationsOf: async (principal: Principal) =>
      (await consultationsOf(deps.pool, principal.personId, 20)).map((c) => ({
        at: c.at,
        reason: reasonLabels[c.reason],
      })),
    /** Maintenance and incident response (issue 10): superviseurs only. */
    ...buildSupervision(deps),
    team: async (agent: AgentPrincipal) =>
      agentMay(agent.role, 'supervise') ? listAgents(deps.pool) : null,
  };
}

export type AgentUseCases = ReturnType<typeof buildAgentUseCases>;
