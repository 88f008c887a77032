/**
 * Who runs a supervision action: the command line's operator (a name) or a console agent, whose
 * id goes into `audit_log.actor_agent_id` like the console's interventions.
 */
export type Actor = string | { readonly agentId: string; readonly name: string };

export const actorName = (actor: Actor): string =>
  typeof actor === 'string' ? actor : `agent:${actor.name}`;

export const actorAgentId = (actor: Actor): string | null =>
  typeof actor === 'string' ? null : actor.agentId;
