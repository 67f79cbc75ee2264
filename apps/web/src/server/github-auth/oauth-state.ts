import { randomBytes, timingSafeEqual } from "node:crypto";

export const GITHUB_STATE_COOKIE = "slipway_github_state";
const STATE_LIFETIME_S = 600;

/** A fresh OAuth `state` (CSRF token of the login round trip), stored in a short-lived cookie. */
export function newOauthState(): string {
  return randomBytes(24).toString("base64url");
}

/** The state cookie: httpOnly, SameSite=Lax (sent on GitHub's top-level redirect back), 10 min, callback path only. */
export function stateCookieOptions(options: { publicUrl: string }) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: new URL(options.publicUrl).protocol === "https:",
    path: "/api/auth/github",
    maxAge: STATE_LIFETIME_S,
  };
}

/** Whether the callback's state is the one this browser was given (constant-time). */
export function stateMatches(options: { fromQuery: string | null; fromCookie: string | undefined }): boolean {
  const { fromQuery, fromCookie } = options;
  if (!fromQuery || !fromCookie) return false;
  const a = Buffer.from(fromQuery);
  const b = Buffer.from(fromCookie);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Where GitHub sends the browser back. */
export function callbackUrl(publicUrl: string): string {
  return `${publicUrl}/api/auth/github/callback`;
}
