/**
 * Attempt throttling (docs/design.md §4.4, CNIL deliberation 2022-100): free attempts, then a growing
 * delay, then a temporary lock. Pure: the caller stores the state and supplies the clock.
 */

/** `recovery`: a "Mot de passe oublié ?" request (identifier + birth date), counted whatever its outcome. */
/** `attestation-check`: a reference typed on the public verification page, counted whatever its outcome. */
export type AttemptKind = 'password' | 'legacy' | 'code' | 'recovery' | 'attestation-check';

export interface ThrottleRule {
  /** Failures allowed with no delay. */
  readonly freeFailures: number;
  /** At this many failures, the subject is locked. */
  readonly lockAfter: number;
  readonly lockMs: number;
  /** Delay after the first non-free failure; doubles each further failure. */
  readonly baseDelayMs: number;
  /** Failures older than this are forgotten (a quiet subject starts afresh). */
  readonly windowMs: number;
}

const HOUR = 3_600_000;

export const accountRules: Readonly<Record<AttemptKind, ThrottleRule>> = {
  password: { freeFailures: 5, lockAfter: 10, lockMs: HOUR, baseDelayMs: 2_000, windowMs: HOUR },
  legacy: { freeFailures: 3, lockAfter: 5, lockMs: HOUR, baseDelayMs: 5_000, windowMs: HOUR },
  code: { freeFailures: 3, lockAfter: 5, lockMs: HOUR, baseDelayMs: 5_000, windowMs: HOUR },
  recovery: { freeFailures: 3, lockAfter: 5, lockMs: HOUR, baseDelayMs: 5_000, windowMs: HOUR },
  // Its "account" is the client address: 30 checks, then an hour's lock (a landlord needs a few).
  'attestation-check': {
    freeFailures: 30,
    lockAfter: 30,
    lockMs: HOUR,
    baseDelayMs: 1_000,
    windowMs: HOUR,
  },
};

/** Per client address, across accounts: against one address spraying many NIRs. */
// Lenient: many people can share one address (carrier NAT, a Caf's public computers).
export const addressRule: ThrottleRule = {
  freeFailures: 50,
  lockAfter: 200,
  lockMs: HOUR,
  baseDelayMs: 500,
  windowMs: HOUR,
};

/**
 * Per client address, per kind. Recovery requests all count (each may send a code), so their
 * address rule is stricter than the failures-only rule of logins.
 */
export const addressRules: Readonly<Record<AttemptKind, ThrottleRule>> = {
  password: addressRule,
  legacy: addressRule,
  code: addressRule,
  recovery: { freeFailures: 20, lockAfter: 60, lockMs: HOUR, baseDelayMs: 2_000, windowMs: HOUR },
  'attestation-check': addressRule,
};

export interface ThrottleState {
  readonly failures: number;
  readonly lastFailureAt: Date | null;
  readonly lockedUntil: Date | null;
}

export const freshState: ThrottleState = { failures: 0, lastFailureAt: null, lockedUntil: null };

export type Verdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'locked' | 'delay'; readonly retryAt: Date };

function current(state: ThrottleState, rule: ThrottleRule, now: Date): ThrottleState {
  if (state.lockedUntil && state.lockedUntil <= now) return freshState;
  if (
    !state.lockedUntil &&
    state.lastFailureAt &&
    now.getTime() - state.lastFailureAt.getTime() > rule.windowMs
  ) {
    return freshState;
  }
  return state;
}

export function delayAfter(failures: number, rule: ThrottleRule): number {
  if (failures < rule.freeFailures) return 0;
  return rule.baseDelayMs * 2 ** (failures - rule.freeFailures);
}

/** May an attempt be evaluated now? */
export function verdict(state: ThrottleState, rule: ThrottleRule, now: Date): Verdict {
  const s = current(state, rule, now);
  if (s.lockedUntil && s.lockedUntil > now)
    return { allowed: false, reason: 'locked', retryAt: s.lockedUntil };
  const delay = delayAfter(s.failures, rule);
  if (delay > 0 && s.lastFailureAt) {
    const retryAt = new Date(s.lastFailureAt.getTime() + delay);
    if (retryAt > now) return { allowed: false, reason: 'delay', retryAt };
  }
  return { allowed: true };
}

/** The state after one more failure; `locked` is true when this failure locked the subject. */
export function afterFailure(
  state: ThrottleState,
  rule: ThrottleRule,
  now: Date,
): { state: ThrottleState; locked: boolean } {
  const s = current(state, rule, now);
  const failures = s.failures + 1;
  const locked = failures >= rule.lockAfter;
  return {
    state: {
      failures,
      lastFailureAt: now,
      lockedUntil: locked ? new Date(now.getTime() + rule.lockMs) : null,
    },
    locked,
  };
}

/**
 * The most attempts a patient guesser can have evaluated against one subject in `periodMs`,
 * trying again the moment the rule allows it: the bound quoted in the README.
 */
export function maxAttemptsIn(rule: ThrottleRule, periodMs: number): number {
  let state = freshState;
  let now = new Date(0);
  const end = periodMs;
  let attempts = 0;
  while (now.getTime() < end) {
    const v = verdict(state, rule, now);
    if (!v.allowed) {
      now = v.retryAt;
      continue;
    }
    attempts++;
    state = afterFailure(state, rule, now).state;
  }
  return attempts;
}
