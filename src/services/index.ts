import type { Config } from '#src/config.ts';
import type { Pool } from '#src/db/pool.ts';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.ts';

/** Everything a route may use, wired once: routes receive it, tests build it with any config. */
export interface Services {
  readonly config: Config;
  readonly pool: Pool;
  readonly hasher: PasswordHasher;
  /** Injected so that age rules and tests do not depend on the wall clock. */
  readonly now: () => Date;
}

export async function buildServices(config: Config, pool: Pool): Promise<Services> {
  const hasher = await createPasswordHasher({ ...config.argon2, ...config.login });
  return { config, pool, hasher, now: () => new Date() };
}
