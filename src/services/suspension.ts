import type { Queryable } from '#src/db/pool.ts';
import { isSuspended } from '#src/db/repositories/agent-lookup.ts';

/**
 * A Caf agent suspended this person's account: no way in opens a session, and an open one ends
 * at its next request. http/plugins/errors.ts answers with the French page « contactez la Caf ».
 */
export class AccountSuspendedError extends Error {
  readonly statusCode = 403;
  constructor() {
    super('Account suspended by a Caf agent');
    this.name = 'AccountSuspendedError';
  }
}

export async function refuseIfSuspended(db: Queryable, personId: string): Promise<void> {
  if (await isSuspended(db, personId)) throw new AccountSuspendedError();
}
