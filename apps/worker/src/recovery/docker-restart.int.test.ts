// Issue 12 item 7: the Docker daemon restarts while builds run. A production build serves (with a
// row written after its deployment), a real worker process (main.ts) runs a development build,
// and the shared dockerd is stopped (SIGTERM: it stops every container) and started again with
// the same arguments. After the restart: production answers 200 through Caddy with its data, the
// development build ends green (resumed when the outage interrupted it — not red, not stuck), and no route of the
// project points at anything but its own build's server. Disruptive for everyone on the engine
// for a few seconds: only under `npm run test:faults` (SLIPWAY_FAULTS=all).
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordPush } from "@slipway/db";
import { containerIp, pingDocker } from "@slipway/docker";
import { enqueue } from "@slipway/queue";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon } from "../testing/tree-repo";
import { waitFor } from "../testing/wait-for";
import {
  recordFaultRow,
  startPrivateRedis,
  startWorkerProcess,
  stuckBuilds,
  wrongRoutes,
  type PrivateRedis,
} from "./testing/fault-services";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const ALL_FAULTS = process.env.SLIPWAY_FAULTS === "all";
let redis: PrivateRedis;
let h: PipelineHarness;
let worker: ReturnType<typeof startWorkerProcess> | null = null;

function dockerdPid(): number {
  const pids = execPidof("dockerd");
  if (pids.length !== 1) throw new Error(`expected one dockerd, found ${pids.length}`);
  return pids[0]!;
}

function execPidof(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === name) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Stops the engine (as a host reboot or `systemctl restart docker` would) and starts it again with its own arguments. */
async function restartDockerd(): Promise<{ downMs: number }> {
  const pid = dockerdPid();
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const stopped = Date.now();
  process.kill(pid, "SIGTERM");
  await waitFor("dockerd to exit", async () => !existsSync(`/proc/${pid}`), 120_000);
  const log = path.join(h.deps.config.home, "logs", "dockerd.log");
  const fd = openSync(log, "a");
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ["ignore", fd, fd] });
  child.unref();
  closeSync(fd);
  await waitFor(
    "the Docker engine",
    async () =>
      pingDocker({ docker: h.deps.docker }).then(
        () => true,
        () => false,
      ),
    120_000,
  );
  return { downMs: Date.now() - stopped };
}

const health = (host: string) =>
  h
    .get(host, "/web/health")
    .then((r) => r.status)
    .catch(() => 0);

describe.runIf(ALL_FAULTS)("the Docker daemon restarts with builds running", () => {
  beforeAll(async () => {
    redis = await startPrivateRedis();
    h = await createPipelineHarness({ prefix: "dkr", image, env: { ...process.env, REDIS_URL: redis.url } });
  }, 400_000);

  afterAll(async () => {
    await worker?.stop();
    await h?.close().catch(() => undefined);
    await redis?.close();
  }, 300_000);

  it("production serves its data again, the build in progress ends, no route points at a wrong container", async () => {
    const prod = await h.pushAndBuild("main", fixtureAddon("green_addon"), { stage: "production" });
    expect(prod).toMatchObject({ state: "running", result: "green" });
    await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('kept', 21, 42)");
    const rows = () => h.sql<{ name: string; qty: number }>(h.slug, "SELECT name, qty FROM green_item ORDER BY id");
    const before = await rows();

    worker = startWorkerProcess({
      ...process.env,
      DATABASE_URL: h.deps.config.databaseUrl,
      REDIS_URL: redis.url,
      SLIPWAY_LOG_LEVEL: "warn",
    });
    await h.prisma.branch.create({ data: { projectId: h.projectId, name: "feature", stage: "development" } });
    const revision = h.repo.push("feature", fixtureAddon("green_addon"));
    const outcome = await recordPush(h.prisma, { projectId: h.projectId, branch: "feature", revision });
    if (outcome.kind !== "recorded" || !outcome.build) throw new Error("no build");
    const dev = outcome.build.id;
    await enqueue(h.deps.queues, "build.run", { buildId: dev });
    await waitFor(
      "the development build to be in the middle of its pipeline",
      async () => !["queued", "fetching"].includes((await h.prisma.build.findUniqueOrThrow({ where: { id: dev } })).state),
      240_000,
    );
    const stateAtFault = (await h.prisma.build.findUniqueOrThrow({ where: { id: dev } })).state;

    const pgBefore = await h.deps.postgres();
    const { downMs } = await restartDockerd();
    const back = Date.now();
    const devEnd = await waitFor(
      "the development build to end",
      async () => {
        const b = await h.prisma.build.findUniqueOrThrow({ where: { id: dev } });
        return ["running", "failed", "cancelled"].includes(b.state) ? b : null;
      },
      480_000,
    );
    await waitFor("production to answer 200", async () => (await health(prod.hostname!)) === 200, 240_000);
    const recoveryMs = Date.now() - back;
    // Routes settle on the servers' new addresses (the keeper follows the engine's events).
    await waitFor(
      "every route to point at its own build's server",
      async () => (await wrongRoutes(h.deps, h.projectId)).length === 0,
      120_000,
    );
    expect(await rows()).toEqual(before);
    for (let i = 0; i < 5; i++) expect(await health(prod.hostname!)).toBe(200);
    expect(devEnd.inProgressSlot).toBeNull();
    // An outage is not the commit's fault: the build interrupted by it resumes and ends green
    // (old: red with "internal error: cannot connect to the Odoo PostgreSQL server").
    expect({ state: devEnd.state, result: devEnd.result, reason: devEnd.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect(await health(devEnd.hostname!)).toBe(200);
    const interrupted = await h.prisma.event.count({ where: { buildId: dev, kind: { in: ["build.interrupted", "build.resumed"] } } });
    // The platform works on after the restart: a new push builds green (the worker reaches the
    // Odoo PostgreSQL server at its address now, creates a database, starts and routes a server).
    const pgAddress = await containerIp({ docker: h.deps.docker, container: pgBefore.containerName, network: pgBefore.platformNetwork });
    const again = h.repo.push("feature", { ...fixtureAddon("green_addon"), "README.md": "after the restart\n" });
    const next = await recordPush(h.prisma, { projectId: h.projectId, branch: "feature", revision: again });
    if (next.kind === "recorded" && next.build) await enqueue(h.deps.queues, "build.run", { buildId: next.build.id });
    const after = await waitFor(
      "a build after the restart to end",
      async () => {
        const b = await h.prisma.build.findFirst({ where: { branch: { name: "feature", projectId: h.projectId }, revision: again } });
        return b && ["running", "failed", "cancelled"].includes(b.state) ? b : null;
      },
      480_000,
    );
    expect({ state: after.state, result: after.result, reason: after.failureReason }).toEqual({
      state: "running",
      result: "green",
      reason: null,
    });
    expect(await health(after.hostname!)).toBe(200);
    const prodNow = await h.prisma.build.findUniqueOrThrow({ where: { id: prod.id } });
    expect(prodNow.state).toBe("running");
    const stuck = await stuckBuilds(h.prisma, h.projectId);
    const wrong = await wrongRoutes(h.deps, h.projectId);
    expect(stuck).toBe(0);
    expect(wrong).toEqual([]);
    recordFaultRow(
      {
        fault: `Docker daemon restarted (down ${(downMs / 1000).toFixed(0)} s) with production serving and a build ${stateAtFault}`,
        times: 1,
        productionIntact: true,
        stuckBuilds: stuck,
        wrongRoutes: wrong.length,
        recoveryMs,
        outcome: `production 200 with its rows; Odoo PostgreSQL ${pgBefore.host} → ${pgAddress ?? "none"}; a new build after it green; build in progress ${devEnd.state} ${devEnd.result}${interrupted ? " after resuming" : ""}${devEnd.failureReason ? ` (${devEnd.failureReason.slice(0, 80)})` : ""}`,
      },
      process.env,
    );
  }, 1_200_000);
});
