import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** Letters and digits that cannot be confused when read from paper (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const INVITATION_MAX_FAILURES = 5;

/** A letter takes days to arrive; an e-mail or an SMS does not. */
export const INVITATION_TTL_MS = {
  email: 7 * 24 * 3_600_000,
  sms: 7 * 24 * 3_600_000,
  courrier: 30 * 24 * 3_600_000,
} as const;

/** 8 characters shown as ABCD-EFGH: about 8.5 × 10^11 values. */
export function generateInvitationCode(): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)] ?? '';
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

export function normalizeInvitationCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export function hashInvitationCode(key: Buffer, personId: string, code: string): Buffer {
  return createHmac('sha256', key)
    .update(`invitation\0${personId}\0${normalizeInvitationCode(code)}`)
    .digest();
}

export function invitationCodeMatches(
  key: Buffer,
  personId: string,
  code: string,
  stored: Buffer,
): boolean {
  const candidate = hashInvitationCode(key, personId, code);
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}
