import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** One-time codes: 6 digits, 15 minutes, single use, void after 5 wrong tries. */
export const CODE_TTL_MS = 15 * 60_000;
export const CODE_MAX_FAILURES = 5;
/** Codes that may be sent for one purpose to one person in an hour (resends included). */
export const CODES_PER_HOUR = 3;

export type CodePurpose =
  | 'contact-validation'
  | 'contact-change'
  | 'password-recovery'
  | 'strong-auth'
  /** A password login from a device not yet known (ADR 0011). */
  | 'new-device';

export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Codes are stored as an HMAC bound to their purpose and person: a leaked table gives no code,
 * and a code issued for one purpose never verifies for another.
 */
export function hashCode(
  key: Buffer,
  purpose: CodePurpose,
  personId: string,
  code: string,
): Buffer {
  return createHmac('sha256', key).update(`${purpose}\0${personId}\0${code}`).digest();
}

export function codeMatches(
  key: Buffer,
  purpose: CodePurpose,
  personId: string,
  code: string,
  stored: Buffer,
): boolean {
  const candidate = hashCode(key, purpose, personId, code);
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

export function normalizeCode(input: string): string {
  return input.replace(/\s/g, '');
}
