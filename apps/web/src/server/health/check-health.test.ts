import { describe, expect, it } from "vitest";
import { checkHealth, healthStatusCode, probe, withTimeout } from "./check-health";

const never = () => new Promise<never>(() => {});

describe("checkHealth", () => {
  it("is ok (200) when database and Redis answer, and reports the worker heartbeat", async () => {
    const report = await checkHealth({
      pingDatabase: async () => 1,
      pingRedis: async () => "PONG",
      readHeartbeat: async () => ({ at: "2026-01-01T00:00:00.000Z", pid: 42 }),
    });
    expect(report).toMatchObject({
      status: "ok",
      database: { ok: true },
      redis: { ok: true },
      worker: { ok: true, lastHeartbeatAt: "2026-01-01T00:00:00.000Z", pid: 42 },
    });
    expect(report.database.latencyMs).toBeGreaterThanOrEqual(0);
    expect(healthStatusCode(report)).toBe(200);
  });

  it("stays ok without a worker heartbeat (the worker does not gate the web app)", async () => {
    const report = await checkHealth({ pingDatabase: async () => 1, pingRedis: async () => "PONG", readHeartbeat: async () => null });
    expect(report.status).toBe("ok");
    expect(report.worker).toEqual({ ok: false });
  });

  it("is degraded (503) when a dependency fails or hangs, without hanging itself", async () => {
    const started = Date.now();
    const report = await checkHealth({
      pingDatabase: never,
      pingRedis: async () => {
        throw new Error("connect ECONNREFUSED redis://:hunter2@127.0.0.1:63799");
      },
      readHeartbeat: never,
      timeoutMs: 100,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(report.status).toBe("degraded");
    expect(report.database).toMatchObject({ ok: false, error: "timed out after 100 ms" });
    expect(report.redis.ok).toBe(false);
    expect(report.redis.error).toContain("ECONNREFUSED");
    expect(report.redis.error).not.toContain("hunter2");
    expect(report.worker).toEqual({ ok: false });
    expect(healthStatusCode(report)).toBe(503);
  });
});

describe("probe / withTimeout", () => {
  it("measures latency of a successful check", async () => {
    const result = await probe(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(result.ok).toBe(true);
    expect(result.latencyMs).toBeGreaterThanOrEqual(25);
  });

  it("passes values through before the deadline", async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
  });
});
