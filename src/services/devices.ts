import {
  afterLogin,
  deviceSubject,
  entryFor,
  readDevices,
  signDevices,
  type KnownDevices,
} from '#src/domain/device.ts';
import type { Deps } from './deps.ts';
import { accountSubject, type AttemptSubjects } from './throttling.ts';

export type { KnownDevices } from '#src/domain/device.ts';

/** The device entries of a cookie's text, if a current or previous key signed it. */
export function knownDevices(s: Deps, cookie: string | undefined): KnownDevices {
  return readDevices(s.secrets.devices, cookie);
}

/**
 * Who an attempt on `loginIdentifier` counts against: the device's own budget when it already
 * logged in to that account, else the budget every unknown device shares. Never a lookup: the
 * choice depends only on what the browser sent and typed, not on whether the account exists.
 */
export function attemptSubjects(
  s: Deps,
  loginIdentifier: string,
  clientIp: string,
  devices: KnownDevices,
): AttemptSubjects {
  const entry = entryFor(devices, loginIdentifier, s.now(), s.config.devices.rememberMs);
  if (entry)
    return {
      account: accountSubject(s.secrets.throttles, deviceSubject(entry)),
      address: clientIp,
      knownDevice: true,
    };
  return { account: accountSubject(s.secrets.throttles, loginIdentifier), address: clientIp };
}

/** The device cookie's new text after a successful login to `loginIdentifier`. */
export function deviceCookieAfterLogin(
  s: Deps,
  devices: KnownDevices,
  loginIdentifier: string,
): string {
  const key = s.secrets.devices[0];
  if (!key) throw new Error('no session key');
  return signDevices(
    key,
    afterLogin(devices, key, loginIdentifier, s.now(), s.config.devices.rememberMs),
  );
}

/** Whether this browser already logged in to `loginIdentifier` (one mechanism with ADR 0008). */
export function isKnownDevice(s: Deps, devices: KnownDevices, loginIdentifier: string): boolean {
  return entryFor(devices, loginIdentifier, s.now(), s.config.devices.rememberMs) !== null;
}
