import { describe, expect, it } from "vitest";
import { defaultLoginRateLimitPolicy, delayAfter, lockedMessage, normalizeLoginForLimit } from "./login-rate-limit";

describe("delayAfter (progressive delays, issue 12, M2)", () => {
  const p = { free: 3, baseDelayMs: 1000, maxDelayMs: 15 * 60_000 };

  it("lets the free attempts through, then doubles the wait up to the ceiling", () => {
    expect([1, 2].map((attempts) => delayAfter({ ...p, attempts }))).toEqual([0, 0]);
    expect([3, 4, 5, 6].map((attempts) => delayAfter({ ...p, attempts }))).toEqual([1000, 2000, 4000, 8000]);
    expect(delayAfter({ ...p, attempts: 30 })).toBe(15 * 60_000);
    expect(delayAfter({ ...p, attempts: 10_000 })).toBe(15 * 60_000);
  });

  it("defaults to 3 free attempts per (login, address), 20 per address, 1 s doubling up to 15 minutes", () => {
    expect(defaultLoginRateLimitPolicy).toEqual({
      freeAttempts: 3,
      addressFreeAttempts: 20,
      baseDelayMs: 1000,
      maxDelayMs: 15 * 60_000,
      windowMs: 60 * 60_000,
    });
  });
});

describe("normalizeLoginForLimit", () => {
  it("ignores case and surrounding spaces", () => {
    expect(normalizeLoginForLimit("  Admin ")).toBe("admin");
  });
});

describe("lockedMessage", () => {
  it("says how long to wait, in seconds under a minute, else whole minutes rounded up", () => {
    expect(lockedMessage(14 * 60_000 + 1)).toBe("Too many failed sign-in attempts. Wait 15 minutes before trying again.");
    expect(lockedMessage(1_500)).toBe("Too many failed sign-in attempts. Wait 2 seconds before trying again.");
    expect(lockedMessage(60_000)).toContain("Wait 1 minute before");
  });
});
