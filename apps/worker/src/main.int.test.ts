import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadWorkerConfig } from "@slipway/config";
import { createQueues, createRedisConnection, enqueue, readWorkerHeartbeat } from "@slipway/queue";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const baseRedisUrl = process.env.REDIS_URL;
if (!baseRedisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (writes .slipway/env)");

// Redis database 13 keeps this worker's heartbeat and queues apart from a dev worker on db 0.
const redisUrl = (() => {
  const u = new URL(baseRedisUrl);
  u.pathname = "/13";
  return u.toString();
})();

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts the worker as `npm start` would, but through `node --import tsx` so signals reach it
 * directly (npx exits on SIGTERM without passing it on, orphaning the worker).
 */
function startWorker(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/worker/src/main.ts"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((done) => child.on("exit", (code, signal) => done({ code, signal, stdout, stderr })));
  return { child, exited, output: () => stdout };
}

async function waitFor<T>(probe: () => Promise<T | undefined | null>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("worker process", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createRedisConnection({ url: redisUrl, role: "worker" });
  });
  afterAll(async () => {
    const keys = await redis.keys("slipway:*");
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("beats, processes jobs from its queues, and exits 0 on SIGTERM", async () => {
    const before = Date.now();
    const worker = startWorker({ ...process.env, REDIS_URL: redisUrl, SLIPWAY_LOG_LEVEL: "info" });
    try {
      const beat = await waitFor(async () => {
        const hb = await readWorkerHeartbeat(redis);
        return hb && Date.parse(hb.startedAt) >= before - 1000 ? hb : undefined;
      }, 60_000);
      expect(beat.pid).toBe(worker.child.pid);
      expect(beat.ageMs).toBeLessThan(6_000);
      expect(await redis.pttl("slipway:worker:heartbeat")).toBeGreaterThan(5_000);
      // Issue 11 item 10: the process runs with umask 077 and has made its state folders private.
      expect(/^Umask:\s*(\d+)$/m.exec(readFileSync(`/proc/${worker.child.pid}/status`, "utf8"))?.[1]).toBe("0077");
      const config = loadWorkerConfig({ ...process.env, REDIS_URL: redisUrl });
      for (const folder of [join(config.home, "builds"), config.backups.root]) expect(statSync(folder).mode & 0o777, folder).toBe(0o700);
      expect(statSync(config.home).mode & 0o077, "SLIPWAY_HOME: nobody else may list it").toBe(statSync(config.home).mode & 0o011);

      const queues = createQueues({ connection: redis });
      try {
        // Cancelling a build that does not exist is a no-op: the job completes.
        const { jobId } = await enqueue(queues, "build.cancel", { buildId: randomUUID() });
        const done = await waitFor(async () => {
          const job = await queues.get("control").getJob(jobId);
          return (await job?.getState()) === "completed" ? job : undefined;
        }, 20_000);
        expect(done?.failedReason).toBeFalsy();
      } finally {
        await queues.close();
      }

      // Logs are JSON lines on stdout; the "completed" event is logged just after BullMQ moves the
      // job, so wait for the line rather than assume it is already there.
      const messages = () =>
        worker
          .output()
          .trim()
          .split("\n")
          .map((l) => (JSON.parse(l) as { msg: string }).msg);
      await waitFor(async () => (messages().includes("job completed") ? true : undefined), 10_000);
      expect(messages()).toContain("worker started");
      expect(messages()).toContain("job completed");
    } finally {
      worker.child.kill("SIGTERM");
    }
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.stdout).toContain('"msg":"worker stopped"');
    expect(await readWorkerHeartbeat(redis)).toBeNull();
  });

  it("refuses to start on a bad configuration, listing every problem", async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (k !== "DATABASE_URL" && k !== "REDIS_URL" && !k.startsWith("SLIPWAY_")) env[k] = v;
    }
    const worker = startWorker({
      ...env,
      REDIS_URL: "http://127.0.0.1:63799",
      SLIPWAY_ENCRYPTION_KEY: "c2hvcnQ=",
      SLIPWAY_PROXY_PORT: "eighty",
      SLIPWAY_DOCKER_SOCKET: "relative/docker.sock",
    });
    const exit = await worker.exited;
    expect(exit.code).toBe(78);
    expect(exit.stdout).toBe("");
    for (const line of [
      "Invalid configuration (5 problems):",
      "DATABASE_URL: missing (required)",
      "REDIS_URL: invalid URL",
      "SLIPWAY_ENCRYPTION_KEY: must decode to 32 bytes, got 5",
      "SLIPWAY_PROXY_PORT: not a port number",
      "SLIPWAY_DOCKER_SOCKET: must be an absolute path",
    ]) {
      expect(exit.stderr).toContain(line);
    }
  });
});
