import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisConnection } from "./connection";
import { clearWorkerHeartbeat, readWorkerHeartbeat, writeWorkerHeartbeat } from "./heartbeat";

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (writes .slipway/env)");

const key = `slipway-test-heartbeat-${randomUUID().slice(0, 8)}`;
let redis: Redis;

beforeAll(() => {
  redis = createRedisConnection({ url: redisUrl, role: "producer" });
});
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

describe("worker heartbeat", () => {
  const startedAt = new Date(Date.now() - 60_000).toISOString();

  it("round-trips and expires after its TTL", async () => {
    expect(await readWorkerHeartbeat(redis, { key })).toBeNull();
    const at = new Date().toISOString();
    await writeWorkerHeartbeat(redis, { pid: 4242, startedAt, at, version: "0.0.0" }, { key, ttlMs: 400 });
    const read = await readWorkerHeartbeat(redis, { key });
    expect(read).toMatchObject({ pid: 4242, startedAt, at, version: "0.0.0" });
    expect(read!.ageMs).toBeGreaterThanOrEqual(0);
    expect(read!.ageMs).toBeLessThan(400);
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(400);
    await new Promise((r) => setTimeout(r, 600));
    expect(await readWorkerHeartbeat(redis, { key })).toBeNull();
  });

  it("uses a 15 s TTL by default and ignores unreadable values", async () => {
    await writeWorkerHeartbeat(redis, { pid: 1, startedAt, at: new Date().toISOString(), version: "x" }, { key });
    const pttl = await redis.pttl(key);
    expect(pttl).toBeGreaterThan(14_000);
    expect(pttl).toBeLessThanOrEqual(15_000);
    await redis.set(key, "{not json", "PX", 5_000);
    expect(await readWorkerHeartbeat(redis, { key })).toBeNull();
  });

  it("is cleared only by its owner", async () => {
    await writeWorkerHeartbeat(redis, { pid: 1, startedAt, at: new Date().toISOString(), version: "x" }, { key });
    expect(await clearWorkerHeartbeat(redis, { pid: 1, startedAt: new Date().toISOString(), key })).toBe(false);
    expect(await clearWorkerHeartbeat(redis, { pid: 2, startedAt, key })).toBe(false);
    expect(await readWorkerHeartbeat(redis, { key })).not.toBeNull();
    expect(await clearWorkerHeartbeat(redis, { pid: 1, startedAt, key })).toBe(true);
    expect(await readWorkerHeartbeat(redis, { key })).toBeNull();
  });
});
