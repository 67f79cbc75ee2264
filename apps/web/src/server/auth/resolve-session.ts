import type { AuthUser, SessionRepository } from "@slipway/db";
import { hashSessionToken, isWellFormedToken, sessionExpiry, shouldTouchSession } from "./session-policy";

/** The user behind a session cookie value, or null; records activity (sliding expiry). */
export async function resolveSession(options: {
  sessions: SessionRepository;
  token: string | undefined;
  now?: Date;
}): Promise<AuthUser | null> {
  if (!options.token || !isWellFormedToken(options.token)) return null;
  const now = options.now ?? new Date();
  const session = await options.sessions.findActive({ tokenHash: hashSessionToken(options.token), now });
  if (!session) return null;
  if (shouldTouchSession({ lastSeenAt: session.lastSeenAt, now })) {
    await options.sessions.touch({ id: session.id, lastSeenAt: now, expiresAt: sessionExpiry({ createdAt: session.createdAt, now }) });
  }
  return session.user;
}
