import type { AuthUser, SessionRepository } from "@slipway/db";
import { resolveSession } from "../auth/resolve-session";
import { SESSION_COOKIE } from "../auth/session-cookie";

/** The session cookie's value in a Cookie header, if any. */
export function sessionTokenFrom(cookieHeader: string | null): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * The signed-in user of a route handler's Request, read from the request itself (not from
 * next/headers), so the handler also runs when called directly, as in integration tests.
 */
export function userFromRequest(options: { sessions: SessionRepository; request: Request }): Promise<AuthUser | null> {
  return resolveSession({ sessions: options.sessions, token: sessionTokenFrom(options.request.headers.get("cookie")) });
}
