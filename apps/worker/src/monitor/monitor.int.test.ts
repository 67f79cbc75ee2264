import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createAndStart, removeContainers } from "@slipway/docker";
import { buildWorkspace } from "../builds/workspace";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { withClient } from "../postgres";
import { followRunningServers } from "./follow-running-servers";
import { RequestLogReader } from "./request-log-reader";
import { ServerLogKeeper } from "./server-log-keeper";
import { sampleMetrics, type MonitorState } from "./sample-metrics";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";

// Monitor sampling and server-log following against real PostgreSQL, Redis and Docker: a
// stand-in Odoo container plays a running build's server (it prints a numbered line every 100 ms).
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const TEST_LABEL = { test: "monitor" };
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
const buildId = randomUUID();
const databaseName = `mon_${randomBytes(3).toString("hex")}`;
let logDir = "";

const line = (status: number, ms: number) =>
  `2026-11-21 11:03:21,500 7 INFO ${databaseName} werkzeug: 172.18.0.1 - - [21/Nov/2026 11:03:21] "GET /web HTTP/1.1" ${status} - 3 0.001 ${(ms / 1000 - 0.001).toFixed(3)}\n`;

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  const user = await prisma.user.create({ data: { login: "mona" } });
  const project = await insertProject(prisma, {
    slug: `mon${randomBytes(3).toString("hex")}`,
    name: "Monitor",
    repoUrl: "/nowhere",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: image,
    baseDomain: "slipway.localhost",
    webhookSecretEnc: encryptSecret("s", config.encryptionKey),
    creatorId: user.id,
  });
  const branch = await prisma.branch.create({ data: { projectId: project.id, name: "main" } });
  const containerName = `slipway-test-mon-${randomBytes(3).toString("hex")}`;
  await createAndStart({
    docker: deps.docker,
    spec: {
      name: containerName,
      image,
      entrypoint: ["/bin/sh", "-c"],
      cmd: ["i=0; while true; do echo server line $i; i=$((i+1)); sleep 0.1; done"],
      labels: { role: "odoo-server", build: buildId, project: project.id, ...TEST_LABEL },
    },
  });
  await prisma.build.create({
    data: {
      id: buildId,
      projectId: project.id,
      branchId: branch.id,
      number: 1,
      stage: "development",
      revision: "b".repeat(40),
      state: "running",
      inProgressSlot: null,
      containerName,
      databaseName,
    },
  });
  await withClient({ pg: await deps.postgres() }, (c) => c.query(`CREATE DATABASE "${databaseName}"`));
  logDir = buildWorkspace(config.home, buildId).logs;
  mkdirSync(logDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  deps?.serverLogs.stopAll();
  if (deps) {
    await removeContainers({ docker: deps.docker, labels: TEST_LABEL }).catch(() => undefined);
    await withClient({ pg: await deps.postgres() }, (c) => c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`)).catch(
      () => undefined,
    );
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
    rmSync(path.dirname(logDir), { recursive: true, force: true });
  }
  await db?.drop();
});

describe("server log following", () => {
  it("attaches to running servers once, and a re-attach continues from the file's last write", async () => {
    expect(await followRunningServers(deps)).toBe(1);
    expect(await followRunningServers(deps)).toBe(0);
    const file = path.join(logDir, "odoo.log");
    await expect.poll(() => readFileSync(file, "utf8").split("\n").length, { timeout: 5_000 }).toBeGreaterThan(5);
    deps.serverLogs.stop(buildId);
    await new Promise((r) => setTimeout(r, 600));
    expect(await followRunningServers(deps)).toBe(1);
    await new Promise((r) => setTimeout(r, 800));
    const numbers = readFileSync(file, "utf8")
      .split("\n")
      .map((l) => /^server line (\d+)$/.exec(l)?.[1])
      .filter(Boolean)
      .map(Number);
    // The lines printed while nobody followed are back-filled; at most the last second repeats.
    const max = Math.max(...numbers);
    for (let i = 0; i <= max; i++) expect(numbers).toContain(i);
    expect(numbers.length - (max + 1)).toBeLessThanOrEqual(10);
  });

  it("leaves a build followed by another process alone (one writer per odoo.log)", async () => {
    const other = new ServerLogKeeper({ redis: deps.redis });
    const container = (await prisma.build.findUniqueOrThrow({ where: { id: buildId } })).containerName!;
    expect(await other.ensure({ docker: deps.docker, buildId, containerId: container, logDir })).toBe(false);
    expect(other.size).toBe(0);
  });
});

describe("metric sampling", () => {
  it("stores CPU, memory, the database's size and share, and the HTTP requests logged since the previous sample", async () => {
    const state: MonitorState = { reader: new RequestLogReader(), storage: new Map() };
    const file = path.join(logDir, "odoo.log");
    appendFileSync(file, line(200, 50)); // before the first sample: not counted
    expect((await sampleMetrics({ deps, state })).sampled).toBe(1);
    appendFileSync(file, line(200, 10) + line(500, 30) + "not a request\n" + line(404, 20));
    await sampleMetrics({ deps, state });
    const rows = await prisma.metric.findMany({ where: { buildId }, orderBy: { at: "asc" } });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ requests: 0, errors: 0 });
    expect(rows[1]).toMatchObject({ requests: 3, errors: 1, avgResponseMs: 20, maxResponseMs: 30 });
    expect(rows[1]!.memoryBytes).toBeGreaterThan(0n);
    expect(rows[1]!.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(rows[1]!.databaseBytes).toBeGreaterThan(1_000_000n);
    expect(rows[1]!.filestoreBytes).toBe(0n);
    expect(rows[1]!.pgConnections).toBeGreaterThanOrEqual(0);
  });

  it("deletes samples older than the retention", async () => {
    await prisma.metric.create({ data: { buildId, at: new Date(Date.now() - 9 * 24 * 3600_000) } });
    const { pruned } = await sampleMetrics({ deps, state: { reader: new RequestLogReader(), storage: new Map() } });
    expect(pruned).toBe(1);
  });
});
