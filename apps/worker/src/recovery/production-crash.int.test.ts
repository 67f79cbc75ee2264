// Issue 12 H6 with real worker processes: a worker running a production update kills itself with
// SIGKILL at one step boundary (testing/fault-worker.ts: the real main.ts, armed), a plain worker is
// started again, and production must answer 200 through Caddy with its data and filestore
// checksums intact, the build ended (no build stuck), nothing half-deleted, nothing journaled.
// Also: SIGTERM during a failing update (Ctrl-C): the worker exits within its grace and the next
// start finishes the job.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "@slipway/db";
import { enqueue } from "@slipway/queue";
import { databaseExists, queryDatabase } from "../postgres";
import { addAttachments, fingerprint } from "../backups/testing/backup-fixture";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon, type Tree } from "../testing/tree-repo";
import { listSwapRecords, readSwapRecord } from "./swap-journal";
import { waitFor as waitForShared } from "../testing/wait-for";
import { recordFaultRow, wrongRoutes } from "./testing/fault-services";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const mainTs = fileURLToPath(new URL("../main.ts", import.meta.url));
const faultTs = fileURLToPath(new URL("../testing/fault-worker.ts", import.meta.url));
let h: PipelineHarness;
let env: NodeJS.ProcessEnv;
let worker: ChildProcess | null = null;
const table: { fault: string; outcome: string; recoveryMs: number }[] = [];

const v1 = fixtureAddon("green_addon");
const withVersion = (version: string, note: string): Tree => ({
  ...v1,
  "addons/green_addon/__manifest__.py": v1["addons/green_addon/__manifest__.py"]!.replace("'version': '1.0'", `'version': '${version}'`),
  "README.md": `${note}\n`,
});
const broken = (version: string, note: string): Tree => {
  const t = withVersion(version, note);
  return {
    ...t,
    "addons/green_addon/__manifest__.py": t["addons/green_addon/__manifest__.py"]!.replace(
      "'views/green_views.xml',",
      "'views/green_views.xml',\n        'views/broken.xml',",
    ),
    "addons/green_addon/views/broken.xml": `<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n    <record id="broken_record" model="no.such.model">\n        <field name="name">x</field>\n    </record>\n</odoo>\n`,
  };
};

function start(point?: string): ChildProcess {
  const args = point ? ["--import", "tsx", faultTs, point] : ["--import", "tsx", mainTs];
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  child.stderr?.resume();
  return child;
}

async function stopWorker(): Promise<void> {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker!.once("exit", r));
    worker.kill("SIGTERM");
    await exited;
  }
  worker = null;
}

const waitFor = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 240_000) =>
  waitForShared(what, fn, timeoutMs);

async function push(tree: Tree): Promise<string> {
  const revision = h.repo.push("main", tree);
  const outcome = await recordPush(h.prisma, { projectId: h.projectId, branch: "main", revision });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error("no build");
  await enqueue(h.deps.queues, "build.run", { buildId: outcome.build.id });
  return outcome.build.id;
}

const host = () => `${h.slug}.slipway.localhost`;
const health = () =>
  h
    .get(host(), "/web/health")
    .then((r) => r.status)
    .catch(() => 0);

/** What must survive any update: the rows written before, the parameter, every filestore file. */
async function precious() {
  const items = await h.sql<{ name: string; qty: number }>(h.slug, "SELECT name, qty FROM green_item ORDER BY id");
  const param = await h.sql<{ value: string }>(h.slug, "SELECT value FROM ir_config_parameter WHERE key = 'test.precious'");
  const version = await h.sql<{ latest_version: string }>(h.slug, "SELECT latest_version FROM ir_module_module WHERE name = 'green_addon'");
  return { items, param, files: (await fingerprint(h.deps, h.slug)).files, version: version[0]?.latest_version };
}

/**
 * The expected state: the same rows and parameter, the given module version, and every file that
 * was there with its checksum — servers and updates may add files (asset bundles are attachments).
 */
function intact(before: Awaited<ReturnType<typeof precious>>, version = before.version) {
  return { ...before, version, files: expect.objectContaining(before.files) as Record<string, string> };
}

async function leftovers(): Promise<string[]> {
  const dbs = await queryDatabase<{ datname: string }>({
    pg: await h.deps.postgres(),
    database: "postgres",
    sql: "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
    params: [`${h.slug}_`],
  });
  return dbs.map((d) => d.datname);
}

beforeAll(async () => {
  const redisUrl = new URL(process.env.REDIS_URL!);
  redisUrl.pathname = "/12";
  h = await createPipelineHarness({ prefix: "kill", image, env: { ...process.env, REDIS_URL: redisUrl.toString() } });
  env = { ...process.env, DATABASE_URL: h.deps.config.databaseUrl, REDIS_URL: redisUrl.toString(), SLIPWAY_LOG_LEVEL: "warn" };
  await h.deps.redis.flushdb();
  const first = await h.pushAndBuild("main", withVersion("1.0", "first"), { stage: "production" });
  expect(first).toMatchObject({ state: "running", result: "green" });
  await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('kept', 21, 42)");
  await h.sql(h.slug, "INSERT INTO ir_config_parameter (key, value) VALUES ('test.precious', 'yes')");
  await addAttachments(h.deps, { database: h.slug, count: 12, size: 1500, labels: { project: h.projectId } });
}, 400_000);

// Whatever an assertion did, no worker of a scenario outlives it (it would take the next one's jobs).
afterEach(async () => {
  await stopWorker();
});

afterAll(async () => {
  await stopWorker();
  if (table.length > 0) {
    const lines = [
      "| kill -9 / signal at | outcome | recovery (restart → build ended, 200) |",
      "|---|---|---|",
      ...table.map((r) => `| ${r.fault} | ${r.outcome} | ${(r.recoveryMs / 1000).toFixed(1)} s |`),
    ];
    console.log(`production update with a real worker killed (issue 12 H6):\n${lines.join("\n")}`);
    for (const r of table)
      recordFaultRow(
        {
          fault: `worker process ${r.fault.startsWith("SIGTERM") ? "" : "kill -9, "}${r.fault}`,
          times: 1,
          productionIntact: true,
          stuckBuilds: 0,
          wrongRoutes: 0,
          recoveryMs: r.recoveryMs,
          outcome: r.outcome,
        },
        process.env,
      );
  }
  await h?.deps.redis.flushdb().catch(() => undefined);
  await h?.close();
});

// `npm test` kills the worker at the two points that matter most (inside the update, and between the
// database rename and the filestore move of a rollback); `npm run test:faults` (SLIPWAY_FAULTS=all) at each one.
const ALL_FAULTS = process.env.SLIPWAY_FAULTS === "all";
const faultSubset = (points: readonly string[], fast: readonly string[]) => (ALL_FAULTS ? points : points.filter((p) => fast.includes(p)));

describe("a real worker killed at each step of a production update", () => {
  let version = 1;
  // A good update: the restarted worker rolls back what was done and runs it again to the end.
  for (const point of faultSubset(
    ["production-update:maintenance", "production-update:snapshot", "production-update:update", "production-update:start"],
    ["production-update:update"],
  )) {
    it(`kill -9 after ${point.split(":")[1]} → restart: the update completes, production serves it with every row and file`, async () => {
      const before = await precious();
      version++;
      worker = start(point);
      const id = await push(withVersion(`1.${version}`, point));
      await waitFor("the armed worker to die", async () => worker!.exitCode !== null || worker!.signalCode !== null);
      expect(worker!.signalCode).toBe("SIGKILL");
      const restarted = Date.now();
      worker = start();
      const done = await waitFor("the build to end", async () => {
        const b = await h.prisma.build.findUniqueOrThrow({ where: { id } });
        return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
      });
      await waitFor("production to answer 200", async () => (await health()) === 200, 60_000);
      const recoveryMs = Date.now() - restarted;
      expect(done.failureReason).toBeNull();
      expect(done).toMatchObject({ state: "running", result: "green" });
      expect(await precious()).toEqual(intact(before, `17.0.1.${version}`));
      expect(
        await h.prisma.build.count({ where: { projectId: h.projectId, state: { notIn: ["running", "stopped", "failed", "cancelled"] } } }),
      ).toBe(0);
      expect(await h.prisma.build.count({ where: { projectId: h.projectId, state: "running" } })).toBe(1);
      expect(await leftovers()).toEqual([`${h.slug}_pre_${done.number}`]);
      expect(readSwapRecord(h.deps.config.home, h.slug)).toBeNull();
      expect(await wrongRoutes(h.deps, h.projectId)).toEqual([]);
      await stopWorker();
      table.push({ fault: `update: after ${point.split(":")[1]}`, outcome: "update completed, data + files intact, 200", recoveryMs });
    }, 480_000);
  }

  // A failing update: the rollback itself is killed; the restart completes it from the journal.
  for (const point of faultSubset(
    [
      "snapshot-restore:journaled",
      "snapshot-restore:dropped-database",
      "snapshot-restore:renamed-database",
      "snapshot-restore:moved-filestore",
    ],
    ["snapshot-restore:renamed-database"],
  )) {
    it(`failing update, rollback killed after ${point.split(":")[1]} → restart: production back on its pre-update data and files`, async () => {
      const before = await precious();
      const previous = await h.prisma.build.findFirstOrThrow({ where: { projectId: h.projectId, state: "running" } });
      worker = start(point);
      const id = await push(broken(`1.${version + 1}`, point));
      await waitFor("the armed worker to die", async () => worker!.exitCode !== null || worker!.signalCode !== null);
      expect(worker!.signalCode).toBe("SIGKILL");
      expect(listSwapRecords(h.deps.config.home).map((r) => r.database)).toContain(h.slug);
      const restarted = Date.now();
      worker = start();
      const done = await waitFor("the build to end", async () => {
        const b = await h.prisma.build.findUniqueOrThrow({ where: { id } });
        return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
      });
      await waitFor("production to answer 200", async () => (await health()) === 200, 60_000);
      const recoveryMs = Date.now() - restarted;
      expect(done).toMatchObject({ state: "failed", result: "red" });
      expect(done.failureReason).toMatch(/rolled back/);
      expect(await precious()).toEqual(intact(before));
      expect((await h.prisma.build.findUniqueOrThrow({ where: { id: previous.id } })).state).toBe("running");
      expect(await databaseExists({ pg: await h.deps.postgres(), name: `${h.slug}_pre_${done.number}` })).toBe(false);
      expect(readSwapRecord(h.deps.config.home, h.slug)).toBeNull();
      expect(
        await h.prisma.build.count({ where: { projectId: h.projectId, state: { notIn: ["running", "stopped", "failed", "cancelled"] } } }),
      ).toBe(0);
      expect(await wrongRoutes(h.deps, h.projectId)).toEqual([]);
      await stopWorker();
      table.push({
        fault: `rollback: after ${point.split(":")[1]!.replace("-", " ")}`,
        outcome: "rollback completed, pre-update data + files, 200",
        recoveryMs,
      });
    }, 480_000);
  }

  it("SIGTERM (Ctrl-C) during a failing update: the worker exits within its grace, the next start finishes the rollback", async () => {
    const before = await precious();
    worker = start();
    const id = await push(broken(`1.${version + 1}`, "sigterm"));
    await waitFor(
      "the snapshot step",
      async () =>
        (await h.prisma.buildStep.findUnique({ where: { buildId_name: { buildId: id, name: "snapshot" } } }))?.state === "succeeded",
    );
    const signalled = Date.now();
    const exited = new Promise((r) => worker!.once("exit", r));
    worker.kill("SIGTERM");
    await exited;
    const exitMs = Date.now() - signalled;
    expect(exitMs).toBeLessThan(20_000 + 30_000);
    const restarted = Date.now();
    worker = start();
    const done = await waitFor("the build to end", async () => {
      const b = await h.prisma.build.findUniqueOrThrow({ where: { id } });
      return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
    });
    await waitFor("production to answer 200", async () => (await health()) === 200, 60_000);
    const recoveryMs = Date.now() - restarted;
    expect(done).toMatchObject({ state: "failed", result: "red" });
    expect(await precious()).toEqual(intact(before));
    expect(readSwapRecord(h.deps.config.home, h.slug)).toBeNull();
    expect(await wrongRoutes(h.deps, h.projectId)).toEqual([]);
    await stopWorker();
    table.push({
      fault: `SIGTERM after snapshot (worker exited in ${(exitMs / 1000).toFixed(1)} s)`,
      outcome: "rollback completed after restart, pre-update data + files, 200",
      recoveryMs,
    });
  }, 480_000);
});
