import type { SessionRepository, UserRepository } from "@slipway/db";
import type { LoginFailureStore } from "./login-failure-store";
import { lockedMessage, normalizeLoginForLimit, type LoginRateLimitPolicy } from "./login-rate-limit";
import { dummyPasswordHash, verifyPassword } from "./password";
import { generateSessionToken, hashSessionToken, sessionExpiry } from "./session-policy";

export type LogInResult =
  | { ok: true; token: string; expiresAt: Date; userId: string }
  | { ok: false; reason: "invalid_credentials" | "locked"; message: string };

// One message for an unknown login, a wrong password and a disabled account: no enumeration.
export const INVALID_CREDENTIALS_MESSAGE = "Wrong login or password.";

/**
 * Password login (issue 12, M2): first reserves the attempt — one atomic step in Redis that
 * refuses it while the (login, address) or the address must still wait, and otherwise counts it
 * and sets the next wait — then verifies the password. Parallel guesses are therefore counted one
 * by one. A success forgets the pair's attempts and creates a session (storing only the token's
 * hash). Throttling is per (login, address): nobody can lock an account out for its owner.
 */
export async function logIn(options: {
  users: UserRepository;
  sessions: SessionRepository;
  failures: LoginFailureStore;
  policy: LoginRateLimitPolicy;
  login: string;
  password: string;
  ip: string;
  userAgent?: string | null;
  now?: () => Date;
}): Promise<LogInResult> {
  const now = options.now ?? (() => new Date());
  const login = options.login.trim();
  const keys = { ip: options.ip, login: normalizeLoginForLimit(login) };

  const reservation = await options.failures.reserve({ keys, policy: options.policy });
  if (!reservation.allowed) return { ok: false, reason: "locked", message: lockedMessage(reservation.retryAfterMs) };

  const user = login === "" ? null : await options.users.findCredentialsByLogin({ login });
  const hash = user?.passwordHash ?? (await dummyPasswordHash());
  const passwordMatches = await verifyPassword({ password: options.password, hash });
  // The reserved attempt stays counted: that is the failure.
  if (!user || !user.passwordHash || user.disabled || !passwordMatches) {
    return { ok: false, reason: "invalid_credentials", message: INVALID_CREDENTIALS_MESSAGE };
  }

  await options.failures.succeeded(keys);
  const token = generateSessionToken();
  const createdAt = now();
  const expiresAt = sessionExpiry({ createdAt, now: createdAt });
  await options.sessions.create({
    tokenHash: hashSessionToken(token),
    userId: user.id,
    expiresAt,
    ip: options.ip,
    userAgent: options.userAgent ?? null,
  });
  return { ok: true, token, expiresAt, userId: user.id };
}
