import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_LIFETIME_MS,
  MAX_DEVICE_ACCOUNTS,
  afterLogin,
  deviceSubject,
  entryFor,
  noDevices,
  readDevices,
  signDevices,
  type KnownDevices,
} from '#src/domain/device.ts';

const key = randomBytes(32);
const oldKey = randomBytes(32);
const at = (ms: number) => new Date(ms);
const T0 = Date.parse('2026-11-23T08:00:00Z');

/** A browser's cookie after logins to these identifiers, in this order. */
function loggedIn(identifiers: readonly string[], signingKey = key): string {
  let devices: KnownDevices = noDevices;
  let cookie = '';
  for (const [i, id] of identifiers.entries()) {
    cookie = signDevices(signingKey, afterLogin(devices, signingKey, id, at(T0 + i)));
    devices = readDevices([signingKey], cookie);
  }
  return cookie;
}

describe('device cookie', () => {
  it('names the account it logged in to, and only that one', () => {
    const devices = readDevices([key], loggedIn(['nir:2850375114123']));
    expect(entryFor(devices, 'nir:2850375114123', at(T0 + 1))).not.toBeNull();
    expect(entryFor(devices, 'nir:1831169123045', at(T0 + 1))).toBeNull();
    expect(entryFor(devices, 'provisional:2850375114123', at(T0 + 1))).toBeNull();
    // No NIR in clear in the cookie.
    expect(loggedIn(['nir:2850375114123'])).not.toContain('2850375114123');
  });

  it('is refused when tampered with, signed by an unknown key, or absent', () => {
    const cookie = loggedIn(['nir:2850375114123']);
    const flipped = cookie.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const value of [flipped, `${cookie}x`, cookie.replace('!', ''), '', undefined]) {
      expect(readDevices([key], value)).toEqual(noDevices);
    }
    expect(readDevices([randomBytes(32)], cookie)).toEqual(noDevices);
  });

  it('survives a session-key rotation (checked by a previous key)', () => {
    const cookie = loggedIn(['nir:2850375114123'], oldKey);
    const devices = readDevices([key, oldKey], cookie);
    expect(entryFor(devices, 'nir:2850375114123', at(T0 + 1))).not.toBeNull();
    // The next login re-signs it with the current key.
    const renewed = signDevices(key, afterLogin(devices, key, 'nir:2850375114123', at(T0 + 2)));
    expect(entryFor(readDevices([key], renewed), 'nir:2850375114123', at(T0 + 3))).not.toBeNull();
  });

  it('takes its lifetime from configuration (DEVICE_REMEMBER_DAYS)', () => {
    const days30 = 30 * 86_400_000;
    const first = readDevices([key], loggedIn(['nir:2850375114123']));
    expect(entryFor(first, 'nir:2850375114123', at(T0 + days30 - 1), days30)).not.toBeNull();
    expect(entryFor(first, 'nir:2850375114123', at(T0 + days30), days30)).toBeNull();
    const later = afterLogin(first, key, 'nir:1831169123045', at(T0 + days30), days30);
    expect(later).toHaveLength(1);
  });

  it('expires after its lifetime, and renews its nonce at each login', () => {
    const first = readDevices([key], loggedIn(['nir:2850375114123']));
    expect(entryFor(first, 'nir:2850375114123', at(T0 + DEVICE_LIFETIME_MS - 1))).not.toBeNull();
    expect(entryFor(first, 'nir:2850375114123', at(T0 + DEVICE_LIFETIME_MS))).toBeNull();
    const again = afterLogin(first, key, 'nir:2850375114123', at(T0 + 5));
    expect(again).toHaveLength(1);
    expect(again[0]?.nonce).not.toBe(first.entries[0]?.nonce);
    const subjects = new Set([first.entries[0], again[0]].map((e) => e && deviceSubject(e)));
    expect(subjects.size).toBe(2);
  });

  it(`remembers the ${String(MAX_DEVICE_ACCOUNTS)} most recent accounts of a shared computer`, () => {
    const ids = ['nir:1', 'nir:2', 'nir:3', 'nir:4'];
    const devices = readDevices([key], loggedIn(ids));
    expect(devices.entries).toHaveLength(MAX_DEVICE_ACCOUNTS);
    expect(entryFor(devices, 'nir:1', at(T0 + 10))).toBeNull();
    for (const id of ids.slice(1)) expect(entryFor(devices, id, at(T0 + 10))).not.toBeNull();
  });
});
