import { describe, expect, it } from "vitest";
import { AnonymousShellLimiter, clientKey } from "./anonymous-shells";

describe("anonymous shell caps", () => {
  it("counts IPv4-mapped IPv6 as IPv4 and other IPv6 addresses by /64", () => {
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe(clientKey("2001:db8:1:2:bbbb::2"));
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
    expect(clientKey(undefined)).toBe("unknown");
  });

  it("refuses beyond the per-address and per-build caps and frees a slot once when released", () => {
    const limiter = new AnonymousShellLimiter({ perAddress: 2, perBuild: 3 });
    const a1 = limiter.acquire({ address: "198.51.100.1", buildId: "b1" });
    const a2 = limiter.acquire({ address: "::ffff:198.51.100.1", buildId: "b2" });
    expect([a1.ok, a2.ok]).toEqual([true, true]);
    const a3 = limiter.acquire({ address: "198.51.100.1", buildId: "b3" });
    expect(a3).toEqual({ ok: false, reason: expect.stringMatching(/from your address \(2 open\)/) });
    expect(limiter.acquire({ address: "198.51.100.2", buildId: "b1" }).ok).toBe(true);
    expect(limiter.acquire({ address: "198.51.100.3", buildId: "b1" }).ok).toBe(true);
    expect(limiter.acquire({ address: "198.51.100.4", buildId: "b1" })).toEqual({
      ok: false,
      reason: expect.stringMatching(/on this build \(3 open\)/),
    });
    if (!a1.ok) throw new Error("unreachable");
    a1.release();
    a1.release(); // idempotent: the second release frees nothing more
    expect(limiter.open()).toEqual({ clients: 3, total: 3 });
    expect(limiter.acquire({ address: "198.51.100.1", buildId: "b1" }).ok).toBe(true);
    expect(limiter.acquire({ address: "198.51.100.5", buildId: "b1" }).ok).toBe(false);
    // Every reason fits a WebSocket close frame (123 bytes), even with large caps.
    const big = new AnonymousShellLimiter({ perAddress: 10_000, perBuild: 10_000 });
    for (let i = 0; i < 10_000; i++) big.acquire({ address: "198.51.100.9", buildId: `b${i}` });
    const refusal = big.acquire({ address: "198.51.100.9", buildId: "other" });
    expect(refusal.ok).toBe(false);
    expect(Buffer.byteLength((refusal as { reason: string }).reason)).toBeLessThanOrEqual(123);
  });
});
