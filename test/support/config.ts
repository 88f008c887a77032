import { loadConfig, type Config, type Env } from '#src/config.ts';

/** A fixed test key: cookies made by one test app are readable by another (two instances). */
export const TEST_SESSION_KEY = Buffer.alloc(32, 7).toString('base64');

/** The Host `app.inject` sends (localhost:80): production test apps answer to it. */
export const INJECT_PUBLIC_URL = 'http://localhost';

export function testConfig(databaseUrl: string, env: Env = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SESSION_KEYS: TEST_SESSION_KEY,
    ...(env.NODE_ENV === 'production' ? { PUBLIC_URL: INJECT_PUBLIC_URL } : {}),
    ...env,
  });
}
