import { userInfo } from 'node:os';

export type Say = (message: string) => void;

/** An ISO 8601 moment (an offset is advised: without one, the machine's time zone applies). */
export function parseMoment(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text))
    return null;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Who runs the command, for the audit log (the agents' console will name the agent). */
export function commandActor(): string {
  return `cli:${process.env.AGENT_LOGIN ?? userInfo().username}`;
}
