import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisLoginFailureStore } from "./login-failure-store";

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (it writes .slipway/env)");

describe("Redis login failure store", () => {
  // A unique prefix per run: the shared Redis also holds the real app's counters.
  const prefix = `slipway-test:login-failures:${randomBytes(6).toString("hex")}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("reads zero for unknown keys", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    expect(await store.read({ ip: "192.0.2.1", login: "nobody" })).toEqual({
      ip: { count: 0, resetInMs: 0 },
      login: { count: 0, resetInMs: 0 },
    });
  });

  it("counts failures per address and per login within one window", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    await store.recordFailure({ keys: { ip: "192.0.2.2", login: "alice" }, windowMs: 60_000 });
    await store.recordFailure({ keys: { ip: "192.0.2.2", login: "bob" }, windowMs: 60_000 });
    await store.recordFailure({ keys: { ip: "192.0.2.3", login: "alice" }, windowMs: 60_000 });

    const counts = await store.read({ ip: "192.0.2.2", login: "alice" });
    expect(counts.ip.count).toBe(2);
    expect(counts.login.count).toBe(2);
    expect(counts.ip.resetInMs).toBeGreaterThan(55_000);
    expect(counts.ip.resetInMs).toBeLessThanOrEqual(60_000);
  });

  it("keeps the window start: later failures do not extend the expiry", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    const keys = { ip: "192.0.2.4", login: "carol" };
    await store.recordFailure({ keys, windowMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.recordFailure({ keys, windowMs: 60_000 });
    const { login } = await store.read(keys);
    expect(login.count).toBe(2);
    expect(login.resetInMs).toBeLessThanOrEqual(59_800);
  });

  it("forgets a window once it has passed", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    const keys = { ip: "192.0.2.5", login: "dave" };
    await store.recordFailure({ keys, windowMs: 200 });
    expect((await store.read(keys)).login.count).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.read(keys)).toEqual({ ip: { count: 0, resetInMs: 0 }, login: { count: 0, resetInMs: 0 } });
  });

  it("counts concurrent failures exactly, and is shared across connections (processes)", async () => {
    const keys = { ip: "192.0.2.6", login: "erin" };
    const other = new Redis(redisUrl);
    try {
      const stores = [createRedisLoginFailureStore({ redis, prefix }), createRedisLoginFailureStore({ redis: other, prefix })];
      await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.recordFailure({ keys, windowMs: 60_000 })));
      expect((await stores[0]!.read(keys)).login.count).toBe(20);
      expect((await stores[1]!.read(keys)).ip.count).toBe(20);
    } finally {
      other.disconnect();
    }
  });

  it("clears both counters", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    const keys = { ip: "192.0.2.7", login: "frank" };
    await store.recordFailure({ keys, windowMs: 60_000 });
    await store.clear(keys);
    expect((await store.read(keys)).ip.count).toBe(0);
    expect((await store.read(keys)).login.count).toBe(0);
  });

  it("escapes hostile keys instead of letting them collide or span namespaces", async () => {
    const store = createRedisLoginFailureStore({ redis, prefix });
    await store.recordFailure({ keys: { ip: "x", login: "a:ip:x" }, windowMs: 60_000 });
    expect((await store.read({ ip: "x", login: "other" })).ip.count).toBe(1);
    expect((await store.read({ ip: "a", login: "a:ip:x" })).login.count).toBe(1);
    expect(await redis.keys(`${prefix}:login:a:ip:x`)).toEqual([]);
  });
});
