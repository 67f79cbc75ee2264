// Issue 12 item 7: pushes and rebuilds racing on one branch. Bursts of two pushes and a rebuild
// (the web's paths: recordPush then enqueue; queueBuild of the branch head then enqueue) hit a
// development branch at once, one burst while the branch is idle, the others while a build runs
// and as it ends (when the worker builds the head that moved meanwhile). Exactly one build is in
// progress at any time (checked on the builds' own lifetimes, not by sampling), the last build
// runs the branch head, none is stuck, and the route is the build's own. About 2.5 minutes of
// builds: only under `npm run test:faults` (SLIPWAY_FAULTS=all).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueBuild, recordPush } from "@slipway/db";
import { createRedisConnection, enqueue, startWorkers, type RunningWorkers } from "@slipway/queue";
import type { Redis } from "ioredis";
import { createJobHandlers } from "../jobs/handlers";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { waitFor } from "../testing/wait-for";
import { recordFaultRow, startPrivateRedis, stuckBuilds, wrongRoutes, type PrivateRedis } from "./testing/fault-services";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const BRANCH = "race";
const ALL_FAULTS = process.env.SLIPWAY_FAULTS === "all";
let redis: PrivateRedis;
let h: PipelineHarness;
let connection: Redis;
let workers: RunningWorkers;
let branchId: string;
const outcomes: string[] = [];

beforeAll(async () => {
  if (!ALL_FAULTS) return;
  redis = await startPrivateRedis();
  h = await createPipelineHarness({ prefix: "race", image, env: { ...process.env, REDIS_URL: redis.url } });
  branchId = (await h.prisma.branch.create({ data: { projectId: h.projectId, name: BRANCH, stage: "development" } })).id;
  connection = createRedisConnection({ url: redis.url, role: "worker", name: "slipway-test-race" });
  workers = startWorkers({ connection, handlers: createJobHandlers(h.deps) });
}, 300_000);

afterAll(async () => {
  await workers?.close({ graceMs: 30_000 }).catch(() => undefined);
  await connection?.quit().catch(() => undefined);
  await h?.close().catch(() => undefined);
  await redis?.close();
}, 300_000);

/** The repository's tip of the branch (what the web asks the repository when a push is out of order). */
let tip: string | null = null;

/**
 * A push as the webhook path handles it: recorded if it starts from the recorded head; otherwise
 * applied only if it is the repository's tip (verified), else refused; then its job.
 */
async function push(): Promise<void> {
  const before = tip;
  const revision = h.repo.push(BRANCH, { ...fixtureAddon("green_addon"), "README.md": `${randomBytes(4).toString("hex")}\n` });
  tip = revision;
  const input = { projectId: h.projectId, branch: BRANCH, revision };
  let outcome = await recordPush(h.prisma, { ...input, expectedHead: before });
  if (outcome.kind === "stale") {
    if (outcome.recordedHead !== revision && tip !== revision) {
      outcomes.push("push: refused (out of date)");
      return;
    }
    outcome = await recordPush(h.prisma, { ...input, expectedHead: outcome.recordedHead });
  }
  outcomes.push(
    outcome.kind === "recorded" ? (outcome.build ? "push: queued" : "push: head recorded, build busy") : `push: ${outcome.kind}`,
  );
  if (outcome.kind === "recorded" && outcome.build) await enqueue(h.deps.queues, "build.run", { buildId: outcome.build.id });
}

/** The rebuild button: a build of the recorded head, refused (null) while one is in progress. */
async function rebuild(): Promise<void> {
  const branch = await h.prisma.branch.findUniqueOrThrow({ where: { id: branchId } });
  if (!branch.headRevision) return;
  const build = await queueBuild(h.prisma, { projectId: h.projectId, branchId, revision: branch.headRevision });
  outcomes.push(build ? "rebuild: queued" : "rebuild: refused (in progress)");
  if (build) await enqueue(h.deps.queues, "build.run", { buildId: build.id });
}

const burst = () => Promise.all([push(), rebuild(), push()]);
const inProgress = () => h.prisma.build.count({ where: { branchId, inProgressSlot: true } });

describe.runIf(ALL_FAULTS)("two pushes and a rebuild racing on one branch", () => {
  it("keeps exactly one build in progress, ends on the branch head, leaves none stuck", async () => {
    const started = Date.now();
    // Sampling as well (the lifetimes below are the exact check).
    let maxSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxSeen = Math.max(maxSeen, await inProgress());
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await push();
    await burst(); // the branch just got a build: both pushes and the rebuild race it
    await waitFor(
      "the build to be past its checkout",
      async () => {
        const b = await h.prisma.build.findFirst({ where: { branchId }, orderBy: { number: "desc" } });
        return b && !["queued", "fetching"].includes(b.state);
      },
      180_000,
    );
    await burst(); // mid-build
    // As a build ends: poll until the running one is finishing (its server is started), then burst.
    await waitFor(
      "a build to reach its server start",
      async () => {
        const b = await h.prisma.build.findFirst({ where: { branchId, inProgressSlot: true }, orderBy: { number: "desc" } });
        return b?.state === "starting" || b === null;
      },
      300_000,
    );
    await burst();
    await push();
    const settle = () =>
      waitFor(
        "the branch to settle on its head",
        async () => {
          if ((await inProgress()) > 0) return null;
          const branch = await h.prisma.branch.findUniqueOrThrow({ where: { id: branchId } });
          const last = await h.prisma.build.findFirst({ where: { branchId }, orderBy: { number: "desc" } });
          // The end of a build queues the head if it moved: wait until that last build ended too.
          return last && last.revision === branch.headRevision ? { branch, last } : null;
        },
        600_000,
      );
    await settle();
    // The branch is idle: the rebuild and both pushes race for the free slot.
    await Promise.all([rebuild(), push(), push()]);
    const head = await settle();
    const settledMs = Date.now() - started;
    sampling = false;
    await sampler;

    const builds = await h.prisma.build.findMany({ where: { branchId }, orderBy: { number: "asc" } });
    // Lifetimes [createdAt, finishedAt] never overlap: one build in progress at any time.
    for (let i = 1; i < builds.length; i++) {
      const prev = builds[i - 1]!;
      expect(prev.finishedAt, `build #${prev.number} has an end`).not.toBeNull();
      expect(builds[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(prev.finishedAt!.getTime());
    }
    expect(maxSeen).toBe(1);
    expect(head.last.revision).toBe(tip);
    expect({ state: head.last.state, result: head.last.result, reason: head.last.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect((await h.get(head.last.hostname!, "/web/health")).status).toBe(200);
    const stuck = await stuckBuilds(h.prisma, h.projectId);
    const wrong = await wrongRoutes(h.deps, h.projectId);
    expect(stuck).toBe(0);
    expect(wrong).toEqual([]);
    const count = (s: string) => outcomes.filter((o) => o === s).length;
    recordFaultRow(
      {
        fault: "two pushes and a rebuild racing on one branch (4 bursts, one on an idle branch)",
        times: 4,
        productionIntact: null,
        stuckBuilds: stuck,
        wrongRoutes: wrong.length,
        recoveryMs: settledMs,
        outcome: `${builds.length} builds, never 2 at once; last runs the head; pushes queued ${count("push: queued")}, recorded while busy ${count("push: head recorded, build busy")}, out of date and refused ${count("push: refused (out of date)")}, stale ${count("push: stale")}; rebuilds queued ${count("rebuild: queued")}, refused ${count("rebuild: refused (in progress)")}`,
      },
      process.env,
    );
  }, 900_000);
});
