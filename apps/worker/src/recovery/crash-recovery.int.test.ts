// Issue 12 H6: a production rollback (snapshot restore) and a backup restore (swap) crash at every
// step boundary — the production code's fault hook stops them there without any cleanup, as a dead
// process would — then the recovery a restarted worker runs puts production back: the database and
// filestore checksums of the expected state, nothing half-deleted, nothing journaled, and a real
// Odoo server (the stand-in) answering 200 on it. Real PostgreSQL and Docker, nothing mocked.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { BUILD_SECURITY, inspectContainer, startContainer, stopContainer, waitForHttp } from "@slipway/docker";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { databaseExists, queryDatabase, streamContainer } from "../postgres";
import { createBackup } from "../backups/create-backup";
import { toolsContextOf } from "../backups/engine/context";
import { restoreBackup } from "../backups/restore-backup";
import { LocalBackupStore } from "../backups/store/local-store";
import { addAttachments, cleanupBackupTests, createBackupProject, fingerprint } from "../backups/testing/backup-fixture";
import { projectNetworkIp } from "../isolation/project-network";
import { serve } from "../odoo/driver";
import { filestoreOperation } from "../odoo/copy-filestore";
import { preUpdateSnapshotName, takeSnapshot } from "../odoo/snapshot";
import { restoreInterruptedUpdate, rollbackProduction } from "../builds/production-rollback";
import { resumeInterruptedSwaps } from "./resume-swaps";
import { InjectedCrash, readSwapRecord } from "./swap-journal";
import { recordFaultRow } from "./testing/fault-services";

const labels = { test: "crash-recovery" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-crash-recovery-"));
let db: TemporaryDatabase;
let deps: WorkerDeps;
let store: LocalBackupStore;
let fixture: Awaited<ReturnType<typeof createBackupProject>>;
let serverName = "";
let crashAt: { point?: string; helper?: string } = {};
const table: { operation: string; step: string; outcome: string; recoveryMs: number }[] = [];

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({
    config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url, SLIPWAY_BACKUP_DIR: join(tmp, "store") }),
    logger: pino({ level: "silent" }),
  });
  // The production code's test hook: a crash at the named boundary (or inside the filestore helper).
  deps.faults = {
    at: (point) => {
      if (crashAt.point === point) throw new InjectedCrash(point);
    },
    get helperPoint() {
      return crashAt.helper;
    },
  };
  store = new LocalBackupStore(join(tmp, "store"));
  fixture = await createBackupProject(deps, { labels });
  await addAttachments(deps, { database: fixture.production.database, count: 20, size: 2000, labels });
  serverName = `slipway-test-crash-${fixture.production.database}`;
  const s = await serve({ ctx: fixture.production.ctx, containerName: serverName, healthTimeoutMs: 60_000 });
  if (!s.healthy) throw new Error("the stand-in server did not start");
  await deps.prisma.build.update({ where: { id: fixture.production.build.id }, data: { containerName: serverName } });
}, 300_000);

afterAll(async () => {
  if (table.length > 0) {
    const lines = [
      "| operation | crash after | outcome | recovery |",
      "|---|---|---|---|",
      ...table.map((r) => `| ${r.operation} | ${r.step} | ${r.outcome} | ${(r.recoveryMs / 1000).toFixed(2)} s |`),
    ];
    console.log(`crash recovery (issue 12 H6):\n${lines.join("\n")}`);
    for (const r of table)
      recordFaultRow(
        {
          fault: `in-process crash: ${r.operation}, after ${r.step}`,
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
  if (deps) {
    await cleanupBackupTests(deps, { databases: [fixture?.production.database].filter((d): d is string => Boolean(d)), labels });
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await deps.prisma.$disconnect();
  }
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/** Top-level folders of the volume's `filestore/` (databases' filestores and any aside/partial leftovers). */
async function filestoreFolders(volume: string): Promise<string[]> {
  const ctx = await toolsContextOf(deps, labels);
  const chunks: Buffer[] = [];
  const { PassThrough } = await import("node:stream");
  const out = new PassThrough();
  out.on("data", (c: Buffer) => chunks.push(c));
  const run = await streamContainer(ctx, {
    spec: {
      image: ctx.image,
      user: "0:0",
      entrypoint: ["sh", "-c", "ls -A /data/filestore"],
      mounts: [{ type: "volume", source: volume, target: "/data", readOnly: true }],
      network: "none",
      security: { ...BUILD_SECURITY, capAdd: ["DAC_READ_SEARCH"] },
      labels: { ...ctx.labels, role: "test-ls" },
    },
    stdout: out,
  });
  expect(run.exitCode).toBe(0);
  return Buffer.concat(chunks).toString("utf8").split("\n").filter(Boolean).sort();
}

async function databasesLike(prefix: string): Promise<string[]> {
  const rows = await queryDatabase<{ datname: string }>({
    pg: fixture.pg,
    database: "postgres",
    sql: "SELECT datname FROM pg_database WHERE starts_with(datname, $1)",
    params: [prefix],
  });
  return rows.map((r) => r.datname);
}

/** The server comes back on the database and answers 200 (its address may have changed). */
async function serverAnswers(): Promise<number | null> {
  const info = await inspectContainer({ docker: deps.docker, id: serverName });
  if (!info?.running) await startContainer({ docker: deps.docker, id: serverName });
  const ip = projectNetworkIp((await inspectContainer({ docker: deps.docker, id: serverName }))!.networks);
  const health = await waitForHttp({ url: `http://${ip}:8069/web/health`, timeoutMs: 60_000, intervalMs: 250 });
  return health.status ?? null;
}

/** The database is owned by its own role (ADR 0005), whatever renames happened. */
async function owner(database: string): Promise<string | undefined> {
  const rows = await queryDatabase<{ owner: string }>({
    pg: fixture.pg,
    database: "postgres",
    sql: "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1",
    params: [database],
  });
  return rows[0]?.owner;
}

async function damage(database: string, tag: string): Promise<void> {
  await queryDatabase({ pg: fixture.pg, database, sql: "UPDATE res_partner SET name = name || $1 WHERE id > 1", params: [` (${tag})`] });
  await queryDatabase({
    pg: fixture.pg,
    database,
    sql: "INSERT INTO ir_config_parameter (key, value) VALUES ($1, 'x')",
    params: [`test.${tag}`],
  });
  await addAttachments(deps, { database, count: 2, size: 100, labels });
}

describe("filestore copies never empty a target whose source is missing", () => {
  it("a copy from a missing source is refused and the target keeps every file", async () => {
    const { database } = fixture.production;
    const volume = fixture.production.ctx.dataVolume;
    const before = await fingerprint(deps, database);
    await expect(
      filestoreOperation({
        docker: deps.docker,
        toolsImage: deps.config.odooPgImage,
        op: "copy",
        source: { volume, database: `${database}_missing` },
        target: { volume, database },
        labels,
      }),
    ).rejects.toThrow(/source .* is missing; the target .* is kept/);
    expect((await fingerprint(deps, database)).files).toEqual(before.files);
  }, 120_000);
});

// `npm test` crashes at the steps where data was lost before (a fast subset); `npm run test:faults`
// (SLIPWAY_FAULTS=all) at every step boundary.
const ALL_FAULTS = process.env.SLIPWAY_FAULTS === "all";
const faultSubset = <T extends { name: string }>(steps: readonly T[], fast: readonly string[]): readonly T[] =>
  ALL_FAULTS ? steps : steps.filter((s) => fast.includes(s.name));

describe("production rollback (snapshot restore) killed at each step", () => {
  // Boundaries in the worker (`point`) and inside the filestore helper (`helper`).
  const steps: { point?: string; helper?: string; name: string }[] = [
    { point: "snapshot-restore:journaled", name: "journal written" },
    { point: "snapshot-restore:dropped-database", name: "broken database dropped" },
    { point: "snapshot-restore:renamed-database", name: "snapshot database renamed back" },
    { helper: "aside", name: "live filestore renamed aside" },
    { helper: "moved", name: "snapshot filestore moved in" },
    { point: "snapshot-restore:moved-filestore", name: "filestore done, journal not cleared" },
  ];
  let n = 100;
  for (const s of faultSubset(steps, ["snapshot database renamed back", "live filestore renamed aside"])) {
    it(`crash after: ${s.name} → the resumed build puts production back (pre-update data and files, 200)`, async () => {
      const { database, build } = fixture.production;
      const volume = fixture.production.ctx.dataVolume;
      n++;
      const snapshot = preUpdateSnapshotName(database, n);
      const target = {
        docker: deps.docker,
        pg: fixture.pg,
        toolsImage: deps.config.odooPgImage,
        volume,
        database,
        labels,
        logFile: join(tmp, "update.log"),
        snapshot,
        home: deps.config.home,
        faults: deps.faults,
      };
      // The update's critical section: server stopped, snapshot, the update changes data and files.
      await stopContainer({ docker: deps.docker, id: serverName, timeoutSeconds: 10 });
      const before = await fingerprint(deps, database);
      await takeSnapshot(target);
      await damage(database, `update-${n}`);
      expect(await fingerprint(deps, database)).not.toEqual(before);

      // The failed update's rollback dies at the boundary.
      crashAt = { point: s.point, helper: s.helper };
      await expect(
        rollbackProduction({
          deps,
          buildId: build.id,
          hostname: "unused.slipway.localhost",
          target,
          previousBuildId: null,
          maintenanceRouteId: "unused",
          snapshotTaken: true,
        }),
      ).rejects.toThrow(InjectedCrash);
      crashAt = {};
      expect(readSwapRecord(deps.config.home, database)).not.toBeNull();

      // Restart: the resumed build's first act (the path a retried build takes).
      const started = Date.now();
      await restoreInterruptedUpdate({ deps, target, snapshotTaken: true });
      const recoveryMs = Date.now() - started;

      expect(await fingerprint(deps, database)).toEqual(before);
      expect(readSwapRecord(deps.config.home, database)).toBeNull();
      expect(await databaseExists({ pg: fixture.pg, name: snapshot })).toBe(false);
      expect(await filestoreFolders(volume)).toEqual([database]);
      expect(await owner(database)).toBe(database);
      expect(await serverAnswers()).toBe(200);
      table.push({ operation: "production rollback", step: s.name, outcome: "completed: pre-update data and files, 200", recoveryMs });
    }, 240_000);
  }

  it("the retried update after a crash between the database rename and the filestore move keeps the pre-update files (the journal wins over the steps)", async () => {
    const { database, build } = fixture.production;
    const volume = fixture.production.ctx.dataVolume;
    const snapshot = preUpdateSnapshotName(database, 200);
    const target = {
      docker: deps.docker,
      pg: fixture.pg,
      toolsImage: deps.config.odooPgImage,
      volume,
      database,
      labels,
      logFile: join(tmp, "update.log"),
      snapshot,
      home: deps.config.home,
      faults: deps.faults,
    };
    await stopContainer({ docker: deps.docker, id: serverName, timeoutSeconds: 10 });
    const before = await fingerprint(deps, database);
    await takeSnapshot(target);
    await damage(database, "update-200");
    crashAt = { helper: "aside" };
    await expect(
      rollbackProduction({
        deps,
        buildId: build.id,
        hostname: "unused.slipway.localhost",
        target,
        previousBuildId: null,
        maintenanceRouteId: "unused",
        snapshotTaken: true,
      }),
    ).rejects.toThrow(InjectedCrash);
    crashAt = {};
    // Only the snapshot's copy of the filestore is left: the live one is aside, the database renamed back.
    expect(
      await filestoreOperation({
        docker: deps.docker,
        toolsImage: deps.config.odooPgImage,
        op: "copy",
        source: { volume, database },
        target: { volume, database: snapshot },
        labels,
      }).catch((e: Error) => e.message),
    ).toMatch(/refused/);
    // Worker start: the journal is completed before any build resumes.
    const report = await resumeInterruptedSwaps(deps);
    expect(report.completed).toContain(database);
    expect(await fingerprint(deps, database)).toEqual(before);
    expect(await filestoreFolders(volume)).toEqual([database]);
    expect(await serverAnswers()).toBe(200);
    table.push({
      operation: "production rollback (worker start)",
      step: "live filestore aside, then a copy over the snapshot tried",
      outcome: "refused; completed at start: pre-update data and files, 200",
      recoveryMs: report.durationMs,
    });
  }, 240_000);
});

describe("backup restore (swap) killed at each step", () => {
  // Before the commit the restore is rolled back (pre-restore state); after it, it is finished.
  const steps = [
    { point: "restore-swap:journaled", name: "journal written", committed: false },
    { point: "restore-swap:stopped-server", name: "server stopped", committed: false },
    { point: "restore-swap:database-aside", name: "live database renamed aside", committed: false },
    { point: "restore-swap:database-in", name: "restored database renamed in", committed: false },
    { point: "restore-swap:filestore-aside", name: "live filestore renamed aside", committed: false },
    { point: "restore-swap:filestore-in", name: "restored filestore moved in", committed: false },
    { point: "restore-swap:committed", name: "swap committed, aside copies not dropped", committed: true },
  ];
  let backupId = "";
  let backedUp: Awaited<ReturnType<typeof fingerprint>>;

  beforeAll(async () => {
    const { production } = fixture;
    backedUp = await fingerprint(deps, production.database);
    backupId = (await createBackup({ deps, store, branchId: production.branch.id, kind: "daily" })).id;
  }, 300_000);

  for (const s of faultSubset(steps, [
    "live database renamed aside",
    "restored filestore moved in",
    "swap committed, aside copies not dropped",
  ])) {
    it(`crash after: ${s.name} → the restarted worker ${s.committed ? "finishes the restore" : "puts the previous database back"} (checksums, 200)`, async () => {
      const { database, branch } = fixture.production;
      const volume = fixture.production.ctx.dataVolume;
      await serverAnswers();
      await damage(database, `before-restore-${s.point}`);
      const current = await fingerprint(deps, database);
      expect(current).not.toEqual(backedUp);

      crashAt = { point: s.point };
      await expect(restoreBackup({ deps, store, backupId, targetBranchId: branch.id })).rejects.toThrow(InjectedCrash);
      crashAt = {};
      expect(readSwapRecord(deps.config.home, database)).not.toBeNull();

      const report = await resumeInterruptedSwaps(deps);
      expect(report.failed).toEqual([]);
      expect(s.committed ? report.completed : report.rolledBack).toEqual([database]);

      expect(await fingerprint(deps, database)).toEqual(s.committed ? backedUp : current);
      expect(readSwapRecord(deps.config.home, database)).toBeNull();
      expect(await databasesLike("slipway_old_")).toEqual([]);
      expect(await databasesLike("slipway_restore_")).toEqual([]);
      expect(await filestoreFolders(volume)).toEqual([database]);
      expect(await owner(database)).toBe(database);
      // The server was running: the recovery started it again.
      expect((await inspectContainer({ docker: deps.docker, id: serverName }))?.running).toBe(true);
      expect(await serverAnswers()).toBe(200);
      table.push({
        operation: "backup restore",
        step: s.name,
        outcome: s.committed ? "finished: restored data and files, 200" : "rolled back: pre-restore data and files, 200",
        recoveryMs: report.durationMs,
      });
    }, 300_000);
  }
});
