import { describe, expect, it } from "vitest";
import {
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  generateSessionToken,
  hashSessionToken,
  isWellFormedToken,
  sessionExpiry,
  shouldTouchSession,
} from "./session-policy";

describe("session tokens", () => {
  it("are 32 random bytes in base64url, distinct each time", () => {
    const token = generateSessionToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(isWellFormedToken(token)).toBe(true);
    expect(generateSessionToken()).not.toBe(token);
  });

  it("are stored as their SHA-256 (hex), never as themselves", () => {
    const token = generateSessionToken();
    const hash = hashSessionToken(token);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(token);
    expect(hashSessionToken(token)).toBe(hash);
    expect(hashSessionToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("rejects malformed cookie values", () => {
    for (const bad of ["", "short", `${"a".repeat(42)}=`, "a".repeat(44), `${"a".repeat(42)}/`]) {
      expect(isWellFormedToken(bad)).toBe(false);
    }
  });
});

describe("sessionExpiry", () => {
  const createdAt = new Date("2026-01-01T00:00:00Z");

  it("slides a full idle period from the latest activity", () => {
    const now = new Date(createdAt.getTime() + 3 * 24 * 3600_000);
    expect(sessionExpiry({ createdAt, now }).getTime()).toBe(now.getTime() + SESSION_IDLE_MS);
  });

  it("never goes past the absolute lifetime", () => {
    const now = new Date(createdAt.getTime() + 28 * 24 * 3600_000);
    expect(sessionExpiry({ createdAt, now }).getTime()).toBe(createdAt.getTime() + SESSION_ABSOLUTE_MS);
  });
});

describe("shouldTouchSession", () => {
  it("writes activity at most every five minutes", () => {
    const lastSeenAt = new Date("2026-01-01T00:00:00Z");
    expect(shouldTouchSession({ lastSeenAt, now: new Date(lastSeenAt.getTime() + 60_000) })).toBe(false);
    expect(shouldTouchSession({ lastSeenAt, now: new Date(lastSeenAt.getTime() + 5 * 60_000) })).toBe(true);
  });
});
