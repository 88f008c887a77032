import type { FastifyInstance } from 'fastify';
import type { TestBrowser } from './browser.ts';

/** Cookie names of the session and of "Se souvenir de moi", with or without `__Host-`. */
export const SESSION_COOKIES = ['moncompte', '__Host-moncompte'] as const;
export const REMEMBER_COOKIES = ['moncompte-nir', '__Host-moncompte-nir'] as const;

/**
 * What an encrypted cookie holds, decrypted with this app's keys (`remember` for the NIR
 * cookie), or null when it does not decrypt. Lets a test look inside instead of at ciphertext.
 */
export function cookieData(
  app: FastifyInstance,
  value: string | undefined,
  sessionName: 'session' | 'remember' = 'session',
): Record<string, unknown> | null {
  if (value === undefined) return null;
  const data: unknown = app.decodeSecureSession(value, undefined, sessionName)?.data();
  return typeof data === 'object' && data !== null
    ? Object.fromEntries(Object.entries(data))
    : null;
}

/** The decrypted session cookie a browser holds now (null: none, or not ours). */
export function sessionOf(app: FastifyInstance, b: TestBrowser): Record<string, unknown> | null {
  const name = SESSION_COOKIES.find((n) => b.cookies.has(n));
  return name ? cookieData(app, b.cookies.get(name)) : null;
}
