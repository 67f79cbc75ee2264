import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLoginFailureStore } from "./login-failure-store";
import type { LoginRateLimitPolicy } from "./login-rate-limit";

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (it writes .slipway/env)");

const policy: LoginRateLimitPolicy = {
  freeAttempts: 3,
  addressFreeAttempts: 6,
  baseDelayMs: 60_000,
  maxDelayMs: 600_000,
  windowMs: 3_600_000,
};

describe("Redis login attempt store (issue 12, M2)", () => {
  // A unique prefix per run: the shared Redis also holds the real app's counters.
  const prefix = `slipway-test:login-attempts:${randomBytes(6).toString("hex")}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("reserves atomically: of 30 parallel attempts on two connections exactly the free ones go through", async () => {
    const other = new Redis(redisUrl);
    try {
      const stores = [createRedisLoginFailureStore({ redis, prefix }), createRedisLoginFailureStore({ redis: other, prefix })];
      const keys = { ip: "192.0.2.6", login: "erin" };
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 2]!.reserve({ keys, policy })));
      expect(results.filter((r) => r.allowed)).toHaveLength(3);
      const refused = results.find((r) => !r.allowed);
      expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(59_000);
    } finally {
      other.disconnect();
    }
  });

  it("waits progressively longer after each throttled attempt", async () => {
    const fast = { ...policy, freeAttempts: 1, baseDelayMs: 100, maxDelayMs: 10_000 };
    const store = createRedisLoginFailureStore({ redis, prefix });
    const keys = { ip: "192.0.2.7", login: "frank" };
    expect(await store.reserve({ keys, policy: fast })).toEqual({ allowed: true });
    const first = await store.reserve({ keys, policy: fast });
    expect(first.allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(await store.reserve({ keys, policy: fast })).toEqual({ allowed: true });
    const second = await store.reserve({ keys, policy: fast });
    expect(second.allowed ? 0 : second.retryAfterMs).toBeGreaterThan(150);
    expect(second.allowed ? 0 : second.retryAfterMs).toBeLessThanOrEqual(200);
  });

  it("counts per (login, address): another address trying the same login is not held back", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    for (let i = 0; i < 3; i++) await store.reserve({ keys: { ip: "203.0.113.66", login: "admin" }, policy });
    expect((await store.reserve({ keys: { ip: "203.0.113.66", login: "admin" }, policy })).allowed).toBe(false);
    expect(await store.reserve({ keys: { ip: "198.51.100.1", login: "admin" }, policy })).toEqual({ allowed: true });
  });

  it("slows one address trying many logins, and a success gives the pair back its attempts", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    const ip = "203.0.113.70";
    for (let i = 0; i < 2; i++) expect((await store.reserve({ keys: { ip, login: "gina" }, policy })).allowed).toBe(true);
    await store.succeeded({ ip, login: "gina" });
    for (let i = 0; i < 3; i++) expect((await store.reserve({ keys: { ip, login: "gina" }, policy })).allowed).toBe(true);
    for (let i = 0; i < 2; i++) expect((await store.reserve({ keys: { ip, login: `spray-${i}` }, policy })).allowed).toBe(true);
    // 6 counted for the address (one given back on success): the next login from it waits.
    expect((await store.reserve({ keys: { ip, login: "spray-9" }, policy })).allowed).toBe(false);
  });

  it("keeps no address-wide counter for an unknown address (everyone's bucket)", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    for (let i = 0; i < 10; i++) expect((await store.reserve({ keys: { ip: "unknown", login: `u-${i}` }, policy })).allowed).toBe(true);
    expect(await redis.keys(`${prefix}:ip:unknown`)).toEqual([]);
  });

  it("escapes hostile keys instead of letting them collide or span namespaces", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    await store.reserve({ keys: { ip: "x", login: "a:ip:x" }, policy });
    expect(await redis.keys(`${prefix}:pair:x:a:ip:x`)).toEqual([]);
    expect(await redis.keys(`${prefix}:pair:x:a%3Aip%3Ax`)).toHaveLength(1);
  });
});
