import { describe, expect, it } from "vitest";
import { decideLoginAttempt, defaultLoginRateLimitPolicy, lockedMessage, normalizeLoginForLimit } from "./login-rate-limit";

const policy = { maxFailures: 5, windowMs: 15 * 60_000 };
const none = { count: 0, resetInMs: 0 };

describe("decideLoginAttempt", () => {
  it("defaults to 5 failures per 15 minutes", () => {
    expect(defaultLoginRateLimitPolicy).toEqual(policy);
  });

  it("allows attempts while both counters are below the limit", () => {
    expect(decideLoginAttempt({ policy, ip: none, login: none })).toEqual({ allowed: true });
    expect(decideLoginAttempt({ policy, ip: { count: 4, resetInMs: 60_000 }, login: { count: 4, resetInMs: 60_000 } })).toEqual({ allowed: true });
  });

  it("locks once the address reached the limit, until its window ends", () => {
    expect(decideLoginAttempt({ policy, ip: { count: 5, resetInMs: 90_000 }, login: { count: 1, resetInMs: 1000 } })).toEqual({
      allowed: false,
      scope: "ip",
      retryAfterMs: 90_000,
    });
  });

  it("locks once the login reached the limit, even from a fresh address", () => {
    expect(decideLoginAttempt({ policy, ip: none, login: { count: 7, resetInMs: 30_000 } })).toEqual({
      allowed: false,
      scope: "login",
      retryAfterMs: 30_000,
    });
  });

  it("reports the longest wait when both are locked", () => {
    const decision = decideLoginAttempt({ policy, ip: { count: 5, resetInMs: 10_000 }, login: { count: 5, resetInMs: 20_000 } });
    expect(decision).toEqual({ allowed: false, scope: "login", retryAfterMs: 20_000 });
  });

  it("assumes a full window when a locked counter has no known expiry", () => {
    expect(decideLoginAttempt({ policy, ip: { count: 5, resetInMs: 0 }, login: none })).toEqual({
      allowed: false,
      scope: "ip",
      retryAfterMs: policy.windowMs,
    });
  });
});

describe("normalizeLoginForLimit", () => {
  it("ignores case and surrounding spaces", () => {
    expect(normalizeLoginForLimit("  Admin ")).toBe("admin");
  });
});

describe("lockedMessage", () => {
  it("says the sign-in is locked and rounds the wait up to whole minutes", () => {
    expect(lockedMessage(14 * 60_000 + 1)).toBe("Too many failed sign-in attempts. Sign-in is locked; try again in 15 minutes.");
    expect(lockedMessage(5_000)).toContain("try again in 1 minute.");
  });
});
