import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "@slipway/db";
import { createRedisConnection, enqueue, startWorkers, type RunningWorkers } from "@slipway/queue";
import type { Redis } from "ioredis";
import { createJobHandlers } from "../jobs/handlers";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { RECONCILE_EVERY_MS, RECONCILE_SCHEDULER_ID, scheduleReconcile } from "./reconcile";
import { waitFor as waitForShared } from "../testing/wait-for";

// Issue 12, M6: `maintenance.reconcile` runs on a schedule, so a build whose job was lost (Redis
// flushed or down when the web enqueued it, a worker gone) is not stuck until the next restart.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;
let redisUrl: string;
let connection: Redis | null = null;
let workers: RunningWorkers | null = null;

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 180_000) =>
  waitForShared(what, fn, timeoutMs);

/** A queued build of `branch` (the web's part: the row), without its job. */
async function queuedBuild(branch: string, addon: string): Promise<string> {
  await h.prisma.branch.upsert({
    where: { projectId_name: { projectId: h.projectId, name: branch } },
    create: { projectId: h.projectId, name: branch, stage: "development" },
    update: {},
  });
  const revision = h.repo.push(branch, fixtureAddon(addon));
  const outcome = await recordPush(h.prisma, { projectId: h.projectId, branch, revision, message: `push to ${branch}`, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  return outcome.build.id;
}

const jobOf = (buildId: string) => h.deps.queues.get("builds").getJob(`build.run-${buildId}`);
const row = (id: string) => h.prisma.build.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  // A Redis database of its own: no other worker takes these jobs, and this test's scheduler stays here.
  const url = new URL(process.env.REDIS_URL!);
  url.pathname = "/14";
  redisUrl = url.toString();
  h = await createPipelineHarness({ prefix: "rc", image, env: { ...process.env, REDIS_URL: redisUrl } });
  await h.deps.redis.flushdb();
}, 120_000);

afterAll(async () => {
  await workers?.close({ graceMs: 30_000 }).catch(() => undefined);
  await connection?.quit().catch(() => undefined);
  await h.deps.redis.flushdb().catch(() => undefined);
  await h.close();
}, 120_000);

describe("scheduled reconciliation", () => {
  it("registers one every-minute scheduler however often the worker starts", async () => {
    await scheduleReconcile(h.deps.queues);
    await scheduleReconcile(h.deps.queues);
    const schedulers = (await h.deps.queues.get("maintenance").getJobSchedulers()).filter(
      (s) => s.key === RECONCILE_SCHEDULER_ID || s.id === RECONCILE_SCHEDULER_ID,
    );
    expect(schedulers).toHaveLength(1);
    expect(Number(schedulers[0]!.every)).toBe(RECONCILE_EVERY_MS);
    expect(schedulers[0]!.name).toBe("maintenance.reconcile");
  });

  it("requeues a queued build whose job was lost, which then runs; retries a build whose finish failed; frees the slot of a build no worker runs; leaves a young queued build to the web", async () => {
    // Lost job: enqueued, then gone (Redis flushed); the row is two minutes old.
    const lost = await queuedBuild("main", "green_addon");
    await enqueue(h.deps.queues, "build.run", { buildId: lost });
    await (await jobOf(lost))!.remove();
    await h.prisma.build.update({ where: { id: lost }, data: { createdAt: new Date(Date.now() - 120_000) } });
    // Stale slot: in progress, its worker gone twice already, no job anywhere.
    const stale = await queuedBuild("stale", "green_addon");
    await h.prisma.build.update({
      where: { id: stale },
      data: { state: "fetching", createdAt: new Date(Date.now() - 600_000), startedAt: new Date(Date.now() - 300_000) },
    });
    for (let i = 0; i < 2; i++)
      await h.prisma.event.create({ data: { projectId: h.projectId, buildId: stale, kind: "build.resumed", message: "resumed" } });
    // Young: the web wrote the row a moment ago and may be enqueueing it right now.
    const young = await queuedBuild("young", "green_addon");
    expect(await jobOf(lost)).toBeUndefined();
    expect(await jobOf(stale)).toBeUndefined();
    // Failed finish: the job ran, the build started, then recording its end failed (control-plane
    // database gone a moment): the job is failed (one attempt), the row still in progress.
    const unfinished = await queuedBuild("unfinished", "green_addon");
    await enqueue(h.deps.queues, "build.run", { buildId: unfinished });
    const failing = createRedisConnection({ url: redisUrl, role: "worker", name: "slipway-test-reconcile-failing" });
    const failingWorkers = startWorkers({
      connection: failing,
      handlers: {
        ...createJobHandlers(h.deps),
        "build.run": async ({ buildId }) => {
          await h.prisma.build.update({ where: { id: buildId }, data: { state: "starting", startedAt: new Date() } });
          throw new Error("could not record the end of the build: the control-plane database is unreachable");
        },
      },
    });
    await waitFor("the job to fail", async () => (await (await jobOf(unfinished))?.getState()) === "failed", 30_000);
    await failingWorkers.close({ graceMs: 5_000 });
    await failing.quit();
    expect((await row(unfinished)).state).toBe("starting");

    // The worker's schedule, every second here instead of every minute.
    await scheduleReconcile(h.deps.queues, 1_000);
    connection = createRedisConnection({ url: redisUrl, role: "worker", name: "slipway-test-reconcile" });
    workers = startWorkers({ connection, handlers: createJobHandlers(h.deps) });

    const freed = await waitFor(
      "the stale build to end",
      async () => {
        const b = await row(stale);
        return b.state === "failed" ? b : null;
      },
      60_000,
    );
    expect(freed.inProgressSlot).toBeNull();
    expect(freed.failureReason).toMatch(/worker stopped/);
    // The young build is still the web's: no job was made for it.
    expect((await row(young)).state).toBe("queued");
    expect(await jobOf(young)).toBeUndefined();
    // Its branch takes a new build again.
    const next = await queuedBuild("stale", "green_addon");
    expect((await row(next)).state).toBe("queued");
    // Neither is this test's business any more (a later pass would run them once a minute old).
    await h.prisma.build.updateMany({ where: { id: { in: [young, next] } }, data: { state: "cancelled", inProgressSlot: null } });

    const ran = await waitFor("the lost build to run", async () => {
      const b = await row(lost);
      return b.state === "running" || b.state === "failed" ? b : null;
    });
    expect({ state: ran.state, result: ran.result, reason: ran.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect((await h.get(ran.hostname!, "/web/health")).status).toBe(200);
    // The failed finish is retried: the build resumes and records its end.
    const finished = await waitFor("the unfinished build to end", async () => {
      const b = await row(unfinished);
      return b.state === "running" || b.state === "failed" ? b : null;
    });
    expect({ state: finished.state, result: finished.result, slot: finished.inProgressSlot, reason: finished.failureReason }).toEqual({
      state: "running",
      result: "green",
      slot: null,
      reason: null,
    });
    expect(await h.prisma.event.count({ where: { buildId: unfinished, kind: "build.resumed" } })).toBe(1);
  }, 300_000);
});
