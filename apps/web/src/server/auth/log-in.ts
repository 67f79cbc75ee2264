import type { SessionRepository, UserRepository } from "@slipway/db";
import type { LoginFailureStore } from "./login-failure-store";
import { decideLoginAttempt, lockedMessage, normalizeLoginForLimit, type LoginRateLimitPolicy } from "./login-rate-limit";
import { dummyPasswordHash, verifyPassword } from "./password";
import { generateSessionToken, hashSessionToken, sessionExpiry } from "./session-policy";

export type LogInResult =
  | { ok: true; token: string; expiresAt: Date; userId: string }
  | { ok: false; reason: "invalid_credentials" | "locked"; message: string };

// One message for an unknown login, a wrong password and a disabled account: no enumeration.
export const INVALID_CREDENTIALS_MESSAGE = "Wrong login or password.";

/**
 * Password login: refuses locked-out attempts before checking anything, counts every failure,
 * and creates a session (storing only the token's hash) on success.
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

  const decision = decideLoginAttempt({ policy: options.policy, ...(await options.failures.read(keys)) });
  if (!decision.allowed) return { ok: false, reason: "locked", message: lockedMessage(decision.retryAfterMs) };

  const user = login === "" ? null : await options.users.findCredentialsByLogin({ login });
  const hash = user?.passwordHash ?? (await dummyPasswordHash());
  const passwordMatches = await verifyPassword({ password: options.password, hash });
  if (!user || !user.passwordHash || user.disabled || !passwordMatches) {
    await options.failures.recordFailure({ keys, windowMs: options.policy.windowMs });
    return { ok: false, reason: "invalid_credentials", message: INVALID_CREDENTIALS_MESSAGE };
  }

  await options.failures.clear(keys);
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
