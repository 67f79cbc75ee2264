import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { inspectVolume, listContainers } from "@slipway/docker";
import { volumeName } from "@slipway/domain";
import { createQueues } from "@slipway/queue";
import { runBuild } from "../builds/run-build";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { databaseExists } from "../postgres";
import { routeIdForBuild } from "../proxy/caddy";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { collectGarbage, GC_EVENT } from "./collect-garbage";
import { GC_SCHEDULER_ID, scheduleGarbageCollection } from "./gc-schedule";
import { tearDownBuildTests } from "../testing/tear-down-builds";

// Garbage collection against real builds (stand-in image: container, database, volume, route),
// with a fake clock: `now` is passed in, days after the builds were created.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const slug = `gc${randomBytes(3).toString("hex")}`;
const DAY = 86_400_000;
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let repo: FixtureRepo;
let projectId: string;

async function pushAndBuild(branch: string) {
  const revision = repo.push(branch, ["green_addon"]);
  const outcome = await recordPush(prisma, { projectId, branch, revision, message: "green", author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
  return prisma.build.findUniqueOrThrow({ where: { id: outcome.build.id } });
}

async function resourcesOf(build: { id: string; databaseName: string | null }) {
  const pg = await deps.postgres();
  return {
    database: await databaseExists({ pg, name: build.databaseName! }),
    containers: (await listContainers({ docker: deps.docker, labels: { build: build.id }, all: true })).length,
    volume: (await inspectVolume({ docker: deps.docker, name: volumeName({ databaseName: build.databaseName! }) })) !== null,
    route: (await deps.caddy.routeIds()).includes(routeIdForBuild(build.id)),
  };
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({
    ...process.env,
    DATABASE_URL: db.url,
    SLIPWAY_GC_DEVELOPMENT_IDLE_DAYS: "3",
    SLIPWAY_GC_STAGING_MAX_AGE_DAYS: "90",
  });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  repo = createFixtureRepo();
  const user = await prisma.user.create({ data: { login: "ada" } });
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "GC",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;
}, 120_000);

afterAll(async () => {
  if (deps) await tearDownBuildTests(deps);
  repo?.remove();
  await db?.drop();
});

describe("maintenance.gc with a fake clock", () => {
  it("removes an idle development build's container, database, volume and route, keeps the row, spares pinned and recent ones", async () => {
    const idle = await pushAndBuild("feature/idle");
    const pinned = await pushAndBuild("feature/pinned");
    await prisma.branch.update({ where: { id: pinned.branchId }, data: { pinned: true } });
    expect([idle.state, pinned.state]).toEqual(["running", "running"]);
    expect(await resourcesOf(idle)).toEqual({ database: true, containers: 1, volume: true, route: true });
    const t0 = idle.createdAt.getTime();

    // A staging build row due 2.5 days from now (its database no longer exists) and a very old production one.
    const staging = await prisma.branch.create({ data: { projectId, name: "uat", stage: "staging" } });
    const prod = await prisma.branch.create({ data: { projectId, name: "main", stage: "production", productionSlot: true } });
    const oldStaging = await prisma.build.create({
      data: {
        projectId,
        branchId: staging.id,
        number: 90,
        stage: "staging",
        revision: "a".repeat(40),
        state: "stopped",
        inProgressSlot: null,
        databaseName: `${slug}--uat-90`,
        createdAt: new Date(t0 - 87.5 * DAY),
      },
    });
    await prisma.build.create({
      data: {
        projectId,
        branchId: prod.id,
        number: 91,
        stage: "production",
        revision: "b".repeat(40),
        state: "running",
        inProgressSlot: null,
        databaseName: `${slug}--main-91`,
        createdAt: new Date(t0 - 400 * DAY),
      },
    });

    expect((await collectGarbage(deps, { now: new Date(t0 + 2 * DAY) })).collected).toEqual([]);

    // HTTP activity one day after creation (a Monitor sample with requests) postpones the idle build.
    await prisma.metric.create({ data: { buildId: idle.id, at: new Date(t0 + DAY), requests: 4 } });
    const early = await collectGarbage(deps, { now: new Date(t0 + 3.5 * DAY) });
    expect(early.collected).toEqual([{ id: oldStaging.id, reason: "staging_expired" }]);
    expect((await prisma.build.findUniqueOrThrow({ where: { id: idle.id } })).lastUsedAt).toEqual(new Date(t0 + DAY));
    expect(await resourcesOf(idle)).toEqual({ database: true, containers: 1, volume: true, route: true });

    const due = await collectGarbage(deps, { now: new Date(t0 + 4.5 * DAY) });
    expect(due).toEqual({ collected: [{ id: idle.id, reason: "development_idle" }], failed: [] });
    expect(await resourcesOf(idle)).toEqual({ database: false, containers: 0, volume: false, route: false });
    const row = await prisma.build.findUniqueOrThrow({ where: { id: idle.id } });
    expect(row).toMatchObject({ state: "stopped", result: "green", databaseName: idle.databaseName });
    const event = await prisma.event.findFirstOrThrow({ where: { buildId: idle.id, kind: GC_EVENT } });
    expect(event.message).toBe(`Build #${idle.number}: Development build unused for 3 days (limit 3); garbage-collected.`);
    expect(await resourcesOf(pinned)).toEqual({ database: true, containers: 1, volume: true, route: true });

    // Nothing left to do later, and production is never collected, however old.
    expect((await collectGarbage(deps, { now: new Date(t0 + 400 * DAY) })).collected).toEqual([]);
    expect(await prisma.event.count({ where: { kind: GC_EVENT } })).toBe(2);
  }, 600_000);

  it("registers one hourly job scheduler, however many times the worker starts", async () => {
    const queues = createQueues({ connection: deps.redis, prefix: `slipway-test-${randomBytes(4).toString("hex")}` });
    try {
      await scheduleGarbageCollection(queues);
      await scheduleGarbageCollection(queues);
      const schedulers = await queues.get("maintenance").getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.name, s.every])).toEqual([[GC_SCHEDULER_ID, "maintenance.gc", 3_600_000]]);
    } finally {
      await queues
        .get("maintenance")
        .obliterate({ force: true })
        .catch(() => undefined);
      await queues.close();
    }
  });
});
