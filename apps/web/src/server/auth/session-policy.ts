import { createHash, randomBytes } from "node:crypto";

// Sessions end after a week without activity (sliding) and after 30 days whatever happens
// (absolute), so a stolen cookie cannot be kept alive forever by using it.
export const SESSION_IDLE_MS = 7 * 24 * 60 * 60_000;
export const SESSION_ABSOLUTE_MS = 30 * 24 * 60 * 60_000;
// Activity is written at most this often: one UPDATE per page view would be wasteful.
export const SESSION_TOUCH_INTERVAL_MS = 5 * 60_000;

/** A new session token (32 random bytes, base64url) for the cookie. */
export function generateSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database stores instead of the token: a leaked table yields no usable cookies. */
export function hashSessionToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A syntactically valid token (43 base64url characters); anything else is not even looked up. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** Expiry after activity at `now`: a full idle period, capped by the absolute lifetime. */
export function sessionExpiry(options: { createdAt: Date; now: Date }): Date {
  const idle = options.now.getTime() + SESSION_IDLE_MS;
  const absolute = options.createdAt.getTime() + SESSION_ABSOLUTE_MS;
  return new Date(Math.min(idle, absolute));
}

/** Whether to record activity now (throttled to one write per interval). */
export function shouldTouchSession(options: { lastSeenAt: Date; now: Date }): boolean {
  return options.now.getTime() - options.lastSeenAt.getTime() >= SESSION_TOUCH_INTERVAL_MS;
}
