import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { listContainers } from "@slipway/docker";
import { enqueue } from "@slipway/queue";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { databaseExists } from "../postgres";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { releaseBuild } from "./resources";
import { waitFor as waitForShared } from "../testing/wait-for";

// A real worker process, killed with SIGKILL in the middle of a build, then started again.
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const mainTs = fileURLToPath(new URL("../main.ts", import.meta.url));
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let repo: FixtureRepo;
let projectId: string;
let env: NodeJS.ProcessEnv;
let worker: ChildProcess | null = null;

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", mainTs], { env, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.resume();
  return child;
}

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 150_000) =>
  waitForShared(what, fn, timeoutMs);

async function queuedBuild(branch: string, addons: string[]) {
  const revision = repo.push(branch, addons);
  const outcome = await recordPush(prisma, { projectId, branch, revision });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error("no build");
  await enqueue(deps.queues, "build.run", { buildId: outcome.build.id });
  return outcome.build.id;
}

const state = (id: string) => prisma.build.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  // Its own Redis database: no other worker takes these jobs.
  const redisUrl = new URL(process.env.REDIS_URL!);
  redisUrl.pathname = "/11";
  env = { ...process.env, DATABASE_URL: db.url, REDIS_URL: redisUrl.toString(), SLIPWAY_LOG_LEVEL: "warn" };
  const config = loadWorkerConfig(env);
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  await deps.redis.flushdb();
  repo = createFixtureRepo();
  const user = await prisma.user.create({ data: { login: "ada" } });
  projectId = (
    await insertProject(prisma, {
      slug: `crash${randomBytes(3).toString("hex")}`,
      name: "Crash",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill("SIGTERM");
    await new Promise((r) => worker!.once("exit", r));
  }
  if (deps) {
    for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } }))
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.flushdb().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await prisma.$disconnect();
  }
  repo?.remove();
  await db?.drop();
});

describe("crash safety and cancellation with a real worker process", () => {
  it("resumes a build after the worker is killed mid-test, leaving nothing behind", async () => {
    worker = startWorker();
    const id = await queuedBuild("main", ["slow_addon"]);
    await waitFor("the build to be testing", async () => (await state(id)).state === "testing");
    // The test step's container runs on after its worker dies.
    await waitFor(
      "the test container",
      async () => (await listContainers({ docker: deps.docker, labels: { build: id }, all: false })).length > 0,
      30_000,
    );
    worker.kill("SIGKILL");
    await new Promise((r) => worker!.once("exit", r));

    worker = startWorker();
    // BullMQ hands the dead worker's job over once its lock expires (≈30 s), then the build redoes
    // its database steps with the 20 s test: a loaded machine needs more than the default wait.
    const done = await waitFor(
      "the build to end",
      async () => {
        const b = await state(id);
        return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
      },
      300_000,
    );
    expect(done.failureReason).toBeNull();
    expect(done).toMatchObject({ state: "running", result: "green" });
    expect(await prisma.event.count({ where: { buildId: id, kind: "build.resumed" } })).toBe(1);
    const left = await listContainers({ docker: deps.docker, labels: { build: id }, all: true });
    expect(left.map((c) => c.labels.role)).toEqual(["odoo-server"]);
  }, 480_000);

  it("cancels a build in progress: cancelled, its containers and database gone", async () => {
    const id = await queuedBuild("feature/cancel-me", ["slow_addon"]);
    await waitFor("the build to be testing", async () => (await state(id)).state === "testing");
    await enqueue(deps.queues, "build.cancel", { buildId: id });
    const done = await waitFor(
      "the build to be cancelled",
      async () => {
        const b = await state(id);
        return b.state === "cancelled" ? b : null;
      },
      60_000,
    );
    expect(done.inProgressSlot).toBeNull();
    expect(await listContainers({ docker: deps.docker, labels: { build: id }, all: true })).toEqual([]);
    expect(await databaseExists({ pg: await deps.postgres(), name: done.databaseName! })).toBe(false);
  });
});
