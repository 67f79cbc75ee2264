// Failed-login throttling policy (pure). Failures are counted in fixed windows, separately per
// client address and per login: the address counter slows one machine guessing many accounts, the
// login counter protects one account from guesses spread over many addresses.

export interface LoginRateLimitPolicy {
  /** Failures allowed in one window; the next attempt is refused until the window ends. */
  maxFailures: number;
  windowMs: number;
}

export const defaultLoginRateLimitPolicy: LoginRateLimitPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };

/** Failures counted so far in the current window of one key; resetInMs is 0 when none. */
export interface FailureCount {
  count: number;
  resetInMs: number;
}

export type LoginScope = "ip" | "login";

export type LoginAttemptDecision =
  | { allowed: true }
  | { allowed: false; scope: LoginScope; retryAfterMs: number };

/** Refuses the attempt when either counter reached the limit; the longest wait wins. */
export function decideLoginAttempt(options: {
  policy: LoginRateLimitPolicy;
  ip: FailureCount;
  login: FailureCount;
}): LoginAttemptDecision {
  let decision: LoginAttemptDecision = { allowed: true };
  for (const scope of ["ip", "login"] as const) {
    const counter = options[scope];
    if (counter.count < options.policy.maxFailures) continue;
    // A counter without a known expiry (should not happen) is treated as a full window.
    const retryAfterMs = counter.resetInMs > 0 ? counter.resetInMs : options.policy.windowMs;
    if (decision.allowed || retryAfterMs > decision.retryAfterMs) decision = { allowed: false, scope, retryAfterMs };
  }
  return decision;
}

/** Logins are case-insensitive for throttling so "Admin" and "admin" share one counter. */
export function normalizeLoginForLimit(login: string): string {
  return login.trim().toLowerCase();
}

/** The message shown on the login page when attempts are refused. */
export function lockedMessage(retryAfterMs: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  const wait = minutes === 1 ? "1 minute" : `${minutes} minutes`;
  return `Too many failed sign-in attempts. Sign-in is locked; try again in ${wait}.`;
}
