import { SESSION_ABSOLUTE_MS } from "./session-policy";

export const SESSION_COOKIE = "slipway_session";

/**
 * Cookie attributes: httpOnly (no script access), SameSite=Lax (not sent on cross-site POSTs),
 * Secure when the panel is served over https. The cookie lives as long as the session's absolute
 * lifetime; the database decides earlier expiry (idle timeout, logout).
 */
export function sessionCookieOptions(options: { publicUrl: string }) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: new URL(options.publicUrl).protocol === "https:",
    path: "/",
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  };
}

/**
 * The client address for throttling. Next sets X-Forwarded-For to the socket address when the
 * request has none, and a reverse proxy (Caddy) appends the address it saw, so the last entry is
 * the one added by the hop closest to us; earlier entries are client-controlled.
 */
export function clientIp(headers: { get(name: string): string | null }): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").map((part) => part.trim()).filter(Boolean).pop();
  return last ?? headers.get("x-real-ip") ?? "unknown";
}
