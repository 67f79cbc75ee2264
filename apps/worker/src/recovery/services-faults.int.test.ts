// Issue 12 item 7 (M6): Redis flushed and restarted, and the control-plane PostgreSQL restarted,
// while a real worker process runs a build. The test starts its own Redis and PostgreSQL servers
// (nobody else's tests are disturbed) and a real worker (main.ts) pointed at them. After each
// fault: the build in progress ends (running or failed, never stuck), no branch keeps its
// in-progress slot, a build queued while the service was away is enqueued again and runs, and no
// route points at a wrong container. Slow (reconciliation runs every minute): only under
// `npm run test:faults` (SLIPWAY_FAULTS=all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "@slipway/db";
import { enqueue } from "@slipway/queue";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { waitFor } from "../testing/wait-for";
import {
  recordFaultRow,
  startPrivatePostgres,
  startPrivateRedis,
  startWorkerProcess,
  stuckBuilds,
  wrongRoutes,
  type PrivatePostgres,
  type PrivateRedis,
} from "./testing/fault-services";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const ALL_FAULTS = process.env.SLIPWAY_FAULTS === "all";
let redis: PrivateRedis;
let pg: PrivatePostgres;
let h: PipelineHarness;
let env: NodeJS.ProcessEnv;
let worker: ReturnType<typeof startWorkerProcess> | null = null;

const ENDED = ["running", "failed", "cancelled", "stopped"];
const row = (id: string) => h.prisma.build.findUniqueOrThrow({ where: { id } });

/** The web's part of a push: the branch, the build row (and its job, unless Redis is away). */
async function push(branch: string, options: { enqueue: boolean }): Promise<string> {
  await h.prisma.branch.upsert({
    where: { projectId_name: { projectId: h.projectId, name: branch } },
    create: { projectId: h.projectId, name: branch, stage: "development" },
    update: {},
  });
  const revision = h.repo.push(branch, fixtureAddon("green_addon"));
  const outcome = await recordPush(h.prisma, { projectId: h.projectId, branch, revision, message: `push to ${branch}`, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  if (options.enqueue) await enqueue(h.deps.queues, "build.run", { buildId: outcome.build.id });
  return outcome.build.id;
}

/** Waits for the build to be past its checkout (its pipeline is running in the worker). */
const midBuild = (id: string) =>
  waitFor("the build to be in the middle of its pipeline", async () => !["queued", "fetching"].includes((await row(id)).state), 180_000);

const ended = (id: string, timeoutMs = 300_000) =>
  waitFor(
    `build ${id} to end`,
    async () => {
      const b = await row(id).catch(() => null);
      return b && ENDED.includes(b.state) ? b : null;
    },
    timeoutMs,
  );

async function healthy(hostname: string | null): Promise<boolean> {
  if (!hostname) return false;
  return (await h.get(hostname, "/web/health").catch(() => ({ status: 0 }))).status === 200;
}

describe.runIf(ALL_FAULTS)("the control plane's services fail under a running build", () => {
  beforeAll(async () => {
    redis = await startPrivateRedis();
    pg = await startPrivatePostgres();
    h = await createPipelineHarness({ prefix: "svc", image, env: { ...process.env, DATABASE_URL: pg.adminUrl, REDIS_URL: redis.url } });
    env = { ...process.env, DATABASE_URL: h.deps.config.databaseUrl, REDIS_URL: redis.url, SLIPWAY_LOG_LEVEL: "warn" };
    // Nothing else listens on these services: connection errors of the harness's own clients while they are down are expected.
    h.deps.redis.on("error", () => undefined);
    worker = startWorkerProcess(env);
  }, 400_000);

  afterAll(async () => {
    await worker?.stop();
    await h?.close().catch(() => undefined);
    await pg?.close();
    await redis?.close();
  }, 300_000);

  it("Redis flushed and restarted mid-build: the build ends, a build queued meanwhile is enqueued again and runs, no slot kept", async () => {
    const a = await push("redis-a", { enqueue: true });
    await midBuild(a);
    await redis.flushAndStop();
    // The web records a push while Redis is away: the row is written, its job cannot be (the web
    // logs the failed enqueue and leaves the build queued).
    const b = await push("redis-b", { enqueue: false });
    await new Promise((r) => setTimeout(r, 3_000));
    const restarted = Date.now();
    await redis.start();
    const [endA, endB] = [await ended(a), await ended(b, 360_000)];
    const recoveryMs = Date.now() - restarted;
    expect({ state: endA.state, slot: endA.inProgressSlot }).toMatchObject({ slot: null });
    expect(["running", "failed"]).toContain(endA.state);
    expect({ state: endB.state, result: endB.result, slot: endB.inProgressSlot, reason: endB.failureReason }).toEqual({
      state: "running",
      result: "green",
      slot: null,
      reason: null,
    });
    expect(await healthy(endB.hostname)).toBe(true);
    const stuck = await stuckBuilds(h.prisma, h.projectId);
    const wrong = await wrongRoutes(h.deps, h.projectId);
    expect(stuck).toBe(0);
    expect(wrong).toEqual([]);
    recordFaultRow(
      {
        fault: "Redis flushed and restarted mid-build",
        times: 1,
        productionIntact: null,
        stuckBuilds: stuck,
        wrongRoutes: wrong.length,
        recoveryMs,
        outcome: `build in progress ${endA.state}${endA.failureReason ? ` (${endA.failureReason.slice(0, 60)})` : ""}; build queued while Redis was down requeued, ${endB.state} ${endB.result}`,
      },
      process.env,
    );
  }, 900_000);

  it("control-plane PostgreSQL restarted mid-build: the build ends, its slot is freed, a queued build runs", async () => {
    const a = await push("pg-a", { enqueue: true });
    await midBuild(a);
    // A queued build whose job is lost with the fault (the web wrote the row; its enqueue is lost).
    const b = await push("pg-b", { enqueue: false });
    await pg.stop();
    await new Promise((r) => setTimeout(r, 5_000));
    const restarted = Date.now();
    await pg.start();
    const [endA, endB] = [await ended(a), await ended(b, 360_000)];
    const recoveryMs = Date.now() - restarted;
    expect(endA.inProgressSlot).toBeNull();
    expect(["running", "failed"]).toContain(endA.state);
    expect({ state: endB.state, result: endB.result, slot: endB.inProgressSlot }).toEqual({
      state: "running",
      result: "green",
      slot: null,
    });
    expect(await healthy(endB.hostname)).toBe(true);
    const stuck = await stuckBuilds(h.prisma, h.projectId);
    const wrong = await wrongRoutes(h.deps, h.projectId);
    expect(stuck).toBe(0);
    expect(wrong).toEqual([]);
    recordFaultRow(
      {
        fault: "control-plane PostgreSQL restarted mid-build (down 5 s)",
        times: 1,
        productionIntact: null,
        stuckBuilds: stuck,
        wrongRoutes: wrong.length,
        recoveryMs,
        outcome: `build in progress ${endA.state}${endA.failureReason ? ` (${endA.failureReason.slice(0, 60)})` : ""}; queued build requeued, ${endB.state} ${endB.result}`,
      },
      process.env,
    );
  }, 900_000);
});
