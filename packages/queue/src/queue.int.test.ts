import { handlersFor } from "./testing";
import { randomUUID } from "node:crypto";
import { DomainError, isDomainError } from "@slipway/domain";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobName } from "./catalog";
import { createRedisConnection } from "./connection";
import { createQueues, enqueue, type Queues } from "./enqueue";
import { startWorkers, type RunningWorkers, type WorkerEvent } from "./start-workers";

const redisUrl = process.env.REDIS_URL;
if (!redisUrl) throw new Error("REDIS_URL is not set: run `npm run services:up` (writes .slipway/env)");

// A prefix of our own keeps these queues apart from a running worker and other test runs.
const prefix = `slipway-test-queue-${randomUUID().slice(0, 8)}`;
let connection: Redis;
let queues: Queues;

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  connection = createRedisConnection({ url: redisUrl, role: "worker", name: "queue-int-test" });
  queues = createQueues({ connection, prefix });
});

afterAll(async () => {
  await queues.close();
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

describe("enqueue (no worker running)", () => {
  it("rejects an invalid payload before anything is queued", async () => {
    const bad = [{ buildId: "not-a-uuid" }, {}, { buildId: randomUUID(), extra: "data" }];
    for (const payload of bad) {
      const error = await enqueue(queues, "build.cancel", payload as { buildId: string }).catch((e: unknown) => e);
      expect(isDomainError(error, "invalid_input")).toBe(true);
    }
    expect(await queues.get("control").getJobCountByTypes("waiting", "delayed", "active")).toBe(0);
  });

  it("dedupes by job id: lifetime and while-pending jobs", async () => {
    const buildId = randomUUID();
    const first = await enqueue(queues, "build.run", { buildId });
    const second = await enqueue(queues, "build.run", { buildId });
    expect(first.jobId).toBe(`build.run-${buildId}`);
    expect(second.jobId).toBe(first.jobId);
    expect(await queues.get("builds").getWaitingCount()).toBe(1);

    const projectId = randomUUID();
    const poll1 = await enqueue(queues, "branch.poll", { projectId });
    const poll2 = await enqueue(queues, "branch.poll", { projectId });
    await enqueue(queues, "branch.poll", { projectId: randomUUID() });
    expect(poll2.jobId).toBe(poll1.jobId);
    expect(await queues.get("control").getWaitingCount()).toBe(2);

    const job = await queues.get("builds").getJob(first.jobId);
    expect(job?.name).toBe("build.run");
    expect(job?.data).toEqual({ buildId });
    expect(job?.opts.removeOnFail).toBe(false);
    await queues.get("builds").obliterate({ force: true });
    await queues.get("control").obliterate({ force: true });
  });
});

describe("startWorkers", () => {
  let running: RunningWorkers;
  const seen: { name: JobName; payload: unknown; attempt: number }[] = [];
  const events: WorkerEvent[] = [];
  const record = (name: JobName) => async (payload: unknown, context: { attempt: number }) => {
    seen.push({ name, payload, attempt: context.attempt });
  };
  const handlers = handlersFor(
    {
      "build.run": record("build.run"),
      "build.cancel": record("build.cancel"),
      "branch.poll": async (payload) => {
        seen.push({ name: "branch.poll", payload, attempt: 1 });
        throw new DomainError("invalid_state", "not implemented yet");
      },
      "backup.daily": record("backup.daily"),
      "maintenance.gc": record("maintenance.gc"),
      "maintenance.reconcile": record("maintenance.reconcile"),
    },
    async () => {
      throw new Error("unexpected job");
    },
  );

  beforeAll(() => {
    running = startWorkers({ connection, handlers, prefix, onEvent: (e) => events.push(e) });
  });
  afterAll(async () => {
    await running.close({ graceMs: 5_000 });
  });

  it("processes an enqueued job with its handler", async () => {
    const buildId = randomUUID();
    const { jobId } = await enqueue(queues, "build.run", { buildId });
    const call = await waitFor(() => seen.find((s) => s.name === "build.run"));
    expect(call).toEqual({ name: "build.run", payload: { buildId }, attempt: 1 });
    await waitFor(() => events.find((e) => e.type === "job.completed" && e.jobId === jobId));
    await enqueue(queues, "maintenance.gc", {});
    await waitFor(() => seen.find((s) => s.name === "maintenance.gc"));
  });

  it("keeps a failed job, without retrying a non-transient domain error", async () => {
    const projectId = randomUUID();
    const { jobId } = await enqueue(queues, "branch.poll", { projectId });
    const failed = await waitFor(() => events.find((e) => e.type === "job.failed" && e.jobId === jobId));
    expect(failed).toMatchObject({ job: "branch.poll", willRetry: false, error: "invalid_state: not implemented yet" });
    const job = await waitFor(async () => {
      const j = await queues.get("control").getJob(jobId);
      return (await j?.getState()) === "failed" ? j : undefined;
    });
    expect(job.failedReason).toBe("invalid_state: not implemented yet");
    expect(job.attemptsMade).toBe(1);
    expect(await queues.get("control").getFailedCount()).toBe(1);
  });
});
