// Failed-login throttling policy (pure; issue 12, M2). Every attempt reserves a slot BEFORE the
// password is checked (atomically, in Redis: see login-failure-store.ts), so parallel guesses are
// counted one by one. Counters are kept per (login, client address): a stranger's failures slow
// down that stranger only, never the account's owner elsewhere. A second counter per address (all
// logins together) slows one machine trying many accounts. Past a few free attempts each further
// one waits twice as long as the previous (progressive delay), up to a ceiling.

export interface LoginRateLimitPolicy {
  /** Attempts of one login from one address allowed back to back. */
  freeAttempts: number;
  /** Attempts from one address (any logins) allowed back to back. */
  addressFreeAttempts: number;
  /** The wait after the first throttled attempt; doubled at each further one… */
  baseDelayMs: number;
  /** …up to this. */
  maxDelayMs: number;
  /** Counters are forgotten this long after the last failed attempt. */
  windowMs: number;
}

export const defaultLoginRateLimitPolicy: LoginRateLimitPolicy = {
  freeAttempts: 3,
  addressFreeAttempts: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  windowMs: 60 * 60_000,
};

/**
 * The wait imposed before the next attempt once `attempts` (failed or in flight) are counted:
 * none for the first `free` ones, then base, 2×base, 4×base… capped at maxDelayMs.
 */
export function delayAfter(options: { attempts: number; free: number; baseDelayMs: number; maxDelayMs: number }): number {
  const { attempts, free, baseDelayMs, maxDelayMs } = options;
  if (attempts < free) return 0;
  const doublings = Math.min(attempts - free, 40);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** doublings);
}

/** Logins are case-insensitive for throttling so "Admin" and "admin" share one counter. */
export function normalizeLoginForLimit(login: string): string {
  return login.trim().toLowerCase();
}

/** The message shown on the login page when an attempt comes too early. */
export function lockedMessage(retryAfterMs: number): string {
  if (retryAfterMs < 60_000) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return `Too many failed sign-in attempts. Wait ${seconds === 1 ? "1 second" : `${seconds} seconds`} before trying again.`;
  }
  const minutes = Math.ceil(retryAfterMs / 60_000);
  return `Too many failed sign-in attempts. Wait ${minutes === 1 ? "1 minute" : `${minutes} minutes`} before trying again.`;
}
