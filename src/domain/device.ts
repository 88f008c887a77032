import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Device recognition (OWASP "Slow down online guessing attacks with device cookies"): a browser
 * that logged in to an account is given a signed entry naming that account and a random nonce.
 * Failures from it count against that entry only, never against the budget all unknown devices
 * share, so a stranger's failures cannot lock the owner out of her own devices. Pure: the
 * caller supplies keys, clock and the cookie's text.
 */

/** How long a device stays known after its last successful login, by default (DEVICE_REMEMBER_DAYS). */
export const DEVICE_LIFETIME_MS = 180 * 24 * 3_600_000;
/** Accounts remembered by one browser (a family computer): the most recent first. */
export const MAX_DEVICE_ACCOUNTS = 3;

export interface DeviceEntry {
  /** Keyed hash of the login identifier typed (`nir:…`, `provisional:…`): no NIR in the cookie. */
  readonly account: string;
  /** Random, renewed at each successful login: the device's own throttle subject. */
  readonly nonce: string;
  readonly issuedAt: number;
}

/** The entries of a cookie whose signature checked, and the key that checked it. */
export interface KnownDevices {
  readonly entries: readonly DeviceEntry[];
  readonly key: Buffer | null;
}

export const noDevices: KnownDevices = { entries: [], key: null };

const hmac = (key: Buffer, text: string) =>
  createHmac('sha256', key).update(text).digest('base64url');

/** The name of an account in a device entry, under one key. */
export function deviceAccount(key: Buffer, loginIdentifier: string): string {
  return hmac(key, `device-account\0${loginIdentifier}`);
}

/** The entry of this device for the account typed, if it is recent enough. */
export function entryFor(
  devices: KnownDevices,
  loginIdentifier: string,
  now: Date,
  lifetimeMs: number = DEVICE_LIFETIME_MS,
): DeviceEntry | null {
  if (!devices.key) return null;
  const account = deviceAccount(devices.key, loginIdentifier);
  return (
    devices.entries.find((e) => e.account === account && now.getTime() - e.issuedAt < lifetimeMs) ??
    null
  );
}

/** The entries after a successful login: a fresh nonce for this account, first in the list. */
export function afterLogin(
  devices: KnownDevices,
  key: Buffer,
  loginIdentifier: string,
  now: Date,
  lifetimeMs: number = DEVICE_LIFETIME_MS,
): DeviceEntry[] {
  const account = deviceAccount(key, loginIdentifier);
  const fresh: DeviceEntry = {
    account,
    nonce: randomBytes(16).toString('base64url'),
    issuedAt: now.getTime(),
  };
  // Entries checked under an older key name their accounts under that key: they are dropped.
  const kept = devices.key?.equals(key)
    ? devices.entries.filter(
        (e) => e.account !== account && now.getTime() - e.issuedAt < lifetimeMs,
      )
    : [];
  return [fresh, ...kept].slice(0, MAX_DEVICE_ACCOUNTS);
}

const ENTRY = /^([\w-]{43})\.([\w-]{22})\.([0-9a-z]{1,11})$/;

/** `account.nonce.issuedAt~…!signature`: base64url and `.~!` only, safe in a cookie. */
export function signDevices(key: Buffer, entries: readonly DeviceEntry[]): string {
  const payload = entries
    .map((e) => `${e.account}.${e.nonce}.${e.issuedAt.toString(36)}`)
    .join('~');
  return `${payload}!${hmac(key, `device-cookie\0${payload}`)}`;
}

/** The entries of a cookie signed by one of `keys` (the current one first); none otherwise. */
export function readDevices(keys: readonly Buffer[], value: string | undefined): KnownDevices {
  if (!value || value.length > 1024) return noDevices;
  const bang = value.lastIndexOf('!');
  if (bang < 0) return noDevices;
  const payload = value.slice(0, bang);
  const signature = Buffer.from(value.slice(bang + 1));
  const key = keys.find((k) => {
    const expected = Buffer.from(hmac(k, `device-cookie\0${payload}`));
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  });
  if (!key) return noDevices;
  const entries: DeviceEntry[] = [];
  for (const part of payload.split('~')) {
    const m = ENTRY.exec(part);
    if (m?.[1] && m[2] && m[3])
      entries.push({ account: m[1], nonce: m[2], issuedAt: parseInt(m[3], 36) });
  }
  return { entries, key };
}

/** The throttle identifier of one device entry (hashed again by the throttle key). */
export function deviceSubject(entry: DeviceEntry): string {
  return `device:${entry.nonce}`;
}
