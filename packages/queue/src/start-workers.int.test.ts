import { handlersFor } from "./testing";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisConnection } from "./connection";
import { createQueues, enqueue, type Queues } from "./enqueue";
import type { JobHandler, JobHandlers } from "./handlers";
import { startWorkers } from "./start-workers";

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (writes .slipway/env)");

let prefix: string;
let connection: Redis;
let queues: Queues;

beforeEach(() => {
  prefix = `slipway-test-close-${randomUUID().slice(0, 8)}`;
  connection = createRedisConnection({ url: redisUrl, role: "worker" });
  queues = createQueues({ connection, prefix });
});
afterEach(async () => {
  await queues.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

function handlersWith(gc: JobHandler<"maintenance.gc">): JobHandlers {
  const unused = async () => {
    throw new Error("unexpected job");
  };
  return handlersFor({ "maintenance.gc": gc }, unused);
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("RunningWorkers.close", () => {
  it("waits for a running job to finish before returning", async () => {
    const started = deferred();
    let finished = false;
    const running = startWorkers({
      connection,
      prefix,
      handlers: handlersWith(async () => {
        started.resolve();
        await new Promise((r) => setTimeout(r, 700));
        finished = true;
      }),
    });
    const { jobId } = await enqueue(queues, "maintenance.gc", {});
    await started.promise;
    const t0 = Date.now();
    expect(await running.close({ graceMs: 10_000 })).toEqual({ timedOut: false });
    expect(finished).toBe(true);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await (await queues.get("maintenance").getJob(jobId))?.getState()).toBe("completed");
  });

  it("aborts a job that outlives the grace period", async () => {
    const started = deferred();
    let aborted = false;
    const running = startWorkers({
      connection,
      prefix,
      handlers: handlersWith(
        (_payload, { signal }) =>
          new Promise<void>((_, reject) => {
            started.resolve();
            signal.addEventListener("abort", () => {
              aborted = true;
              reject(new Error("aborted"));
            });
          }),
      ),
    });
    await enqueue(queues, "maintenance.gc", {});
    await started.promise;
    const t0 = Date.now();
    expect(await running.close({ graceMs: 300 })).toEqual({ timedOut: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(aborted).toBe(true);
  });
});
