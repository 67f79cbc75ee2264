import type { SessionRepository } from "@slipway/db";
import { hashSessionToken, isWellFormedToken } from "./session-policy";

/** Revokes the session behind a cookie value (the row stays, marked revoked, for auditing). */
export async function logOut(options: { sessions: SessionRepository; token: string | undefined; now?: Date }): Promise<boolean> {
  if (!options.token || !isWellFormedToken(options.token)) return false;
  return options.sessions.revoke({ tokenHash: hashSessionToken(options.token), now: options.now ?? new Date() });
}
