import { describe, expect, it } from 'vitest';
import {
  accountRules,
  addressRule,
  addressRules,
  afterFailure,
  freshState,
  maxAttemptsIn,
  verdict,
  type ThrottleState,
} from '#src/domain/throttle.ts';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms);

function fail(times: number, rule = accountRules.password, start = 0): ThrottleState {
  let state = freshState;
  for (let i = 0; i < times; i++) state = afterFailure(state, rule, at(start + i * 60_000)).state;
  return state;
}

describe('throttle', () => {
  it('lets the first 5 password failures through without delay', () => {
    let state = freshState;
    for (let i = 0; i < 5; i++) {
      expect(verdict(state, accountRules.password, at(i))).toEqual({ allowed: true });
      state = afterFailure(state, accountRules.password, at(i)).state;
    }
    expect(verdict(state, accountRules.password, at(5))).toMatchObject({
      allowed: false,
      reason: 'delay',
    });
  });

  it('doubles the delay after each further failure', () => {
    const rule = accountRules.password;
    const s6 = afterFailure(fail(5), rule, at(10 * 60_000)).state;
    const v6 = verdict(s6, rule, at(10 * 60_000));
    expect(v6.allowed).toBe(false);
    if (!v6.allowed) expect(v6.retryAt.getTime() - 10 * 60_000).toBe(4_000);
  });

  it('locks after 10 password failures, 5 old-password failures and 5 code failures', () => {
    expect(afterFailure(fail(9), accountRules.password, at(HOUR / 2)).locked).toBe(true);
    expect(afterFailure(fail(8), accountRules.password, at(HOUR / 2)).locked).toBe(false);
    expect(
      afterFailure(fail(4, accountRules.legacy), accountRules.legacy, at(HOUR / 2)).locked,
    ).toBe(true);
    expect(afterFailure(fail(4, accountRules.code), accountRules.code, at(HOUR / 2)).locked).toBe(
      true,
    );
  });

  it('forgets failures after a quiet hour, and ends a lock when it expires', () => {
    expect(verdict(fail(7), accountRules.password, at(2 * HOUR))).toEqual({ allowed: true });
    const locked = afterFailure(fail(9), accountRules.password, at(0)).state;
    expect(verdict(locked, accountRules.password, at(HOUR - 1))).toMatchObject({
      allowed: false,
      reason: 'locked',
    });
    expect(verdict(locked, accountRules.password, at(HOUR))).toEqual({ allowed: true });
  });

  it('bounds a patient guesser per account: 10 passwords, 5 old passwords or 5 codes an hour', () => {
    expect(maxAttemptsIn(accountRules.password, HOUR)).toBe(10);
    expect(maxAttemptsIn(accountRules.legacy, HOUR)).toBe(5);
    expect(maxAttemptsIn(accountRules.code, HOUR)).toBe(5);
    expect(maxAttemptsIn(accountRules.legacy, 24 * HOUR)).toBe(120);
  });

  it('is lenient per address (shared addresses) but still bounded', () => {
    const perHour = maxAttemptsIn(addressRule, HOUR);
    expect(perHour).toBeGreaterThanOrEqual(50);
    expect(perHour).toBeLessThan(200);
  });

  it('bounds recovery requests: 5 an hour per identity typed (or per known device), about 30 per address', () => {
    expect(maxAttemptsIn(accountRules.recovery, HOUR)).toBe(5);
    const perAddress = maxAttemptsIn(addressRules.recovery, HOUR);
    console.log(`recovery requests per address and hour: ${String(perAddress)}`);
    expect(perAddress).toBeGreaterThanOrEqual(addressRules.recovery.freeFailures);
    expect(perAddress).toBeLessThan(addressRules.recovery.lockAfter);
    // Logins keep the lenient failures-only rule per address.
    expect(addressRules.password).toBe(addressRule);
  });

  it('bounds password guessing per account: 10 an hour from all unknown devices, 10 per known device', () => {
    // Unknown devices share one subject per identifier typed; each known device has its own,
    // under the same rule (services/devices.ts#attemptSubjects).
    const unknownDevices = maxAttemptsIn(accountRules.password, HOUR);
    expect(unknownDevices).toBe(10);
    const devices = 3;
    const withDevices = unknownDevices + devices * maxAttemptsIn(accountRules.password, HOUR);
    console.log(
      `password tries an hour on one account: ${String(unknownDevices)} from unknown devices together; ${String(withDevices)} with ${String(devices)} stolen device cookies`,
    );
    expect(withDevices).toBe(40);
  });
});
