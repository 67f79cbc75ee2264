import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createQueues, type Queues } from "@slipway/queue";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { buildBranchHead } from "../branches/build-branch-head";
import { releaseBuild } from "../builds/resources";
import { runBuild } from "../builds/run-build";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { pollAllProjects, pollBranches, POLL_SCHEDULER_ID, schedulePolling } from "./poll-branches";

// The poller and Build now / Rebuild on the real stack: PostgreSQL, Redis (queues under a prefix of
// their own, so a worker running on this machine never takes the jobs), a local bare repository
// with no webhook, and Docker for one real build of a polled head.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let queues: Queues;
let defaultQueues: Queues;
let repo: FixtureRepo;
let projectId: string;
let userId: string;
const slug = `poll${randomBytes(3).toString("hex")}`;

const waitingJobs = async (queue: "builds" | "control") =>
  (await queues.get(queue).getJobs(["waiting", "prioritized", "delayed"])).map((j) => [j.name, j.data] as const);
const branch = (name: string) =>
  prisma.branch.findFirstOrThrow({ where: { projectId, name }, include: { builds: { orderBy: { number: "asc" } } } });
/** A build's run ended (as a finished build would): the branch's in-progress slot is free again. */
const finish = (buildId: string) => prisma.build.update({ where: { id: buildId }, data: { state: "stopped", inProgressSlot: null } });

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  const base = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  queues = createQueues({ connection: base.redis, prefix: `slipway-test-poll-${randomBytes(4).toString("hex")}` });
  defaultQueues = base.queues;
  deps = { ...base, queues };
  prisma = deps.prisma;
  repo = createFixtureRepo();
  // Branches that exist before the project does.
  repo.push("main", ["green_addon"], "Initial");
  repo.push("feature", ["green_addon"], "Feature");
  userId = (await prisma.user.create({ data: { login: "ada" } })).id;
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Polled",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: userId,
    })
  ).id;
});

afterAll(async () => {
  if (deps) {
    for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } }))
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    for (const name of ["builds", "control"] as const)
      await queues
        .get(name)
        .obliterate({ force: true })
        .catch(() => undefined);
    await queues.close().catch(() => undefined);
    await defaultQueues.close().catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await prisma.$disconnect();
  }
  repo?.remove();
  await db?.drop();
});

describe("the poller (a repository without webhook)", () => {
  it("builds every branch on a project's first poll, and a polled head really builds green", { timeout: 240_000 }, async () => {
    const report = await pollBranches(deps, { projectId });
    expect(report).toEqual({ changed: 2, queued: 2 });
    const main = await branch("main");
    const feature = await branch("feature");
    for (const b of [main, feature]) {
      expect(b.builds).toHaveLength(1);
      expect(b.builds[0]).toMatchObject({ state: "queued", stage: "development", revision: b.headRevision });
    }
    const jobs = await waitingJobs("builds");
    for (const b of [main, feature]) expect(jobs).toContainEqual(["build.run", { buildId: b.builds[0]!.id }]);

    // The build the poll queued runs through the real pipeline.
    await runBuild(deps, { buildId: main.builds[0]!.id, signal: new AbortController().signal });
    expect(await prisma.build.findUniqueOrThrow({ where: { id: main.builds[0]!.id } })).toMatchObject({
      state: "running",
      result: "green",
    });
    await finish(feature.builds[0]!.id);
  });

  it("builds a commit pushed without webhook at the next poll, and leaves unchanged branches alone", async () => {
    expect(await pollBranches(deps, { projectId })).toEqual({ changed: 0, queued: 0 });
    const revision = repo.push("feature", ["green_addon", "warning_addon"], "Second commit");
    expect(await pollBranches(deps, { projectId })).toEqual({ changed: 1, queued: 1 });
    const feature = await branch("feature");
    expect(feature.headRevision).toBe(revision);
    expect(feature.builds.map((b) => [b.revision, b.state])).toEqual([
      [feature.builds[0]!.revision, "stopped"],
      [revision, "queued"],
    ]);
    expect(await waitingJobs("builds")).toContainEqual(["build.run", { buildId: feature.builds[1]!.id }]);
    expect((await branch("main")).builds).toHaveLength(1);
    await finish(feature.builds[1]!.id);
  });

  it("builds a known branch that was never built, records a 'do nothing' branch's head without building, archives a deleted one", async () => {
    const legacy = repo.push("legacy", ["green_addon"], "Legacy");
    // Recorded without a build (by an earlier poller that only recorded first heads).
    await prisma.branch.create({ data: { projectId, name: "legacy", headRevision: legacy } });
    await prisma.branch.updateMany({ where: { projectId, name: "feature" }, data: { stage: "staging", pushBehavior: "do_nothing" } });
    const quiet = repo.push("feature", ["green_addon"], "Third commit");
    expect(await pollBranches(deps, { projectId })).toEqual({ changed: 2, queued: 1 });
    expect((await branch("legacy")).builds.map((b) => [b.revision, b.state])).toEqual([[legacy, "queued"]]);
    const feature = await branch("feature");
    expect(feature.headRevision).toBe(quiet);
    expect(feature.builds).toHaveLength(2);

    execFileSync("git", ["--git-dir", repo.url, "branch", "-D", "legacy"]);
    await pollBranches(deps, { projectId });
    expect((await branch("legacy")).archivedAt).toBeInstanceOf(Date);
  });

  it("is scheduled every SLIPWAY_POLL_INTERVAL_SECONDS for every project, and off at 0", async () => {
    await schedulePolling(deps, 120);
    const schedulers = await queues.get("control").getJobSchedulers(0, -1);
    expect(schedulers.map((s) => [s.key, s.every, s.name])).toContainEqual([POLL_SCHEDULER_ID, 120_000, "branch.poll-all"]);
    expect(await pollAllProjects(deps)).toEqual({ projects: 1 });
    expect(await waitingJobs("control")).toContainEqual(["branch.poll", { projectId }]);
    await schedulePolling(deps, 0);
    expect((await queues.get("control").getJobSchedulers(0, -1)).map((s) => s.key)).not.toContain(POLL_SCHEDULER_ID);
  });
});

describe("Build now / Rebuild (the branch.build job)", () => {
  it("reads the branch head in the repository, records it and builds it, with history and audit", async () => {
    const main = await branch("main");
    await finish(main.builds[0]!.id);
    const revision = repo.push("main", ["green_addon"], "Pushed, no webhook");
    expect(main.headRevision).not.toBe(revision);
    const outcome = await buildBranchHead(deps, { branchId: main.id, actorId: userId, ip: "10.1.2.3" });
    expect(outcome?.headMoved).toBe(true);
    expect(outcome?.build).toMatchObject({ revision, state: "queued", stage: "development" });
    expect((await branch("main")).headRevision).toBe(revision);
    expect(await waitingJobs("builds")).toContainEqual(["build.run", { buildId: outcome!.build!.id }]);
    const event = await prisma.event.findFirstOrThrow({ where: { branchId: main.id, kind: "build.rebuild" } });
    expect(event.message).toBe(`Build of main at ${revision.slice(0, 8)} requested by ada (build #${outcome!.build!.number}).`);
    expect(await prisma.auditEntry.findFirstOrThrow({ where: { projectId, action: "build.rebuild" } })).toMatchObject({
      actorId: userId,
      target: `main build #${outcome!.build!.number}`,
      ip: "10.1.2.3",
    });
    // While that build is in progress, another request queues nothing more.
    const again = await buildBranchHead(deps, { branchId: main.id, actorId: userId, ip: null });
    expect(again).toEqual({ build: null, headMoved: false });
    expect(await prisma.build.count({ where: { branchId: main.id, inProgressSlot: true } })).toBe(1);
  });

  it(
    "a branch moved to staging while its development build runs gets its staging build when that build ends",
    { timeout: 120_000 },
    async () => {
      const main = await branch("main");
      const running = main.builds.find((b) => b.inProgressSlot)!;
      expect(running.stage).toBe("development");
      // The move could not queue the staging build: this one holds the branch's slot. It ends (cancelled here).
      await prisma.branch.update({ where: { id: main.id }, data: { stage: "staging" } });
      await prisma.build.update({ where: { id: running.id }, data: { cancelRequestedAt: new Date() } });
      await runBuild(deps, { buildId: running.id, signal: new AbortController().signal });
      const after = await branch("main");
      expect(after.builds.find((b) => b.id === running.id)?.state).toBe("cancelled");
      const next = after.builds.at(-1)!;
      expect(next).toMatchObject({ stage: "staging", state: "queued", revision: running.revision });
      expect(await waitingJobs("builds")).toContainEqual(["build.run", { buildId: next.id }]);
    },
  );

  it("says in the branch history why nothing was built when the branch is gone from the repository", async () => {
    const feature = await branch("feature");
    execFileSync("git", ["--git-dir", repo.url, "branch", "-D", "feature"]);
    expect(await buildBranchHead(deps, { branchId: feature.id, actorId: userId, ip: null })).toBeNull();
    const event = await prisma.event.findFirstOrThrow({ where: { branchId: feature.id, kind: "build.request_failed" } });
    expect(event.message).toBe("Build of feature requested by ada did not start: the repository has no branch named feature any more.");
    expect(await prisma.build.count({ where: { branchId: feature.id } })).toBe(2);
  });
});
