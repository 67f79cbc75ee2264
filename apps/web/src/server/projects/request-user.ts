import type { AuthUser, SessionRepository } from "@slipway/db";
import { resolveSession } from "../auth/resolve-session";
import { cookieFrom, SESSION_COOKIE } from "../auth/session-cookie";

/** The session cookie's value in a Cookie header, if any (a malformed one counts as none). */
export function sessionTokenFrom(cookieHeader: string | null): string | undefined {
  return cookieFrom(cookieHeader, SESSION_COOKIE);
}

/**
 * The signed-in user of a route handler's Request, read from the request itself (not from
 * next/headers), so the handler also runs when called directly, as in integration tests.
 */
export function userFromRequest(options: { sessions: SessionRepository; request: Request }): Promise<AuthUser | null> {
  return resolveSession({ sessions: options.sessions, token: sessionTokenFrom(options.request.headers.get("cookie")) });
}
