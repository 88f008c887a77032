/**
 * The agents' matrix (issue 9): what each role of the console may do. Pure; the console's guard
 * (http/journeys/agents-area.ts) and the services ask it, nothing else decides.
 */

export const agentRoles = ['conseiller', 'testeur', 'superviseur'] as const;
export type AgentRole = (typeof agentRoles)[number];

export const agentActions = [
  /** The console's home and one's own account: every role. */
  'home',
  /** Search people and open a person's sheet (with a reason, logged). */
  'lookup',
  /** Unlock, end sessions, suspend, force a new password, send a code by letter. */
  'intervene',
  /** Give a NIR to a person known by a provisional identifier. */
  'assign-nir',
  /** The demo personas, their reset and random households: never in production. */
  'test-dossiers',
  /** The team's agents and their sessions; incident response and maintenance (issue 10). */
  'supervise',
] as const;
export type AgentAction = (typeof agentActions)[number];

const byRole: Readonly<Record<AgentRole, readonly AgentAction[]>> = {
  conseiller: ['home', 'lookup', 'intervene', 'assign-nir'],
  // A tester works on demo dossiers only: never a real person's file.
  testeur: ['home', 'test-dossiers'],
  superviseur: ['home', 'lookup', 'intervene', 'assign-nir', 'test-dossiers', 'supervise'],
};

export function agentMay(role: AgentRole, action: AgentAction): boolean {
  return byRole[role].includes(action);
}

export function isAgentRole(value: string): value is AgentRole {
  return agentRoles.some((role) => role === value);
}

export const roleLabels: Readonly<Record<AgentRole, string>> = {
  conseiller: 'Conseiller',
  testeur: 'Testeur',
  superviseur: 'Superviseur',
};

/** Why an agent opens a person's file: asked before the sheet, kept in the access log. */
export const consultationReasons = ['appel-telephonique', 'accueil', 'courrier', 'test'] as const;
export type ConsultationReason = (typeof consultationReasons)[number];

export const reasonLabels: Readonly<Record<ConsultationReason, string>> = {
  'appel-telephonique': 'Appel téléphonique',
  accueil: 'Accueil',
  courrier: 'Courrier',
  test: 'Test',
};

/** The interventions of the person's sheet, each with its confirmation page and audit row. */
export const interventions = [
  'deverrouiller',
  'fermer-sessions',
  'suspendre',
  'lever-suspension',
  'forcer-mot-de-passe',
  'code-courrier',
] as const;
export type Intervention = (typeof interventions)[number];

/** The agent of a request, from a verified agent cookie and a live agent session row. */
export interface AgentPrincipal {
  readonly agentId: string;
  readonly displayName: string;
  readonly role: AgentRole;
  readonly sessionHash: Buffer;
}
