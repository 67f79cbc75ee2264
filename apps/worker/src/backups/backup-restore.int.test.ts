import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createAndStart, inspectContainer, runStreaming } from "@slipway/docker";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { queryDatabase } from "../postgres";
import { createBackup } from "./create-backup";
import { toolsContextOf } from "./engine/context";
import { swapDatabase } from "./engine/swap-database";
import type { BackupManifest } from "./engine/manifest";
import { restoreBackup } from "./restore-backup";
import { LocalBackupStore } from "./store/local-store";
import { addAttachments, cleanupBackupTests, createBackupProject, fingerprint } from "./testing/backup-fixture";

/** A stored manifest (a JSON column) as the engine writes it. */
const manifestOf = (row: { manifest: unknown }) => row.manifest as BackupManifest;
const labels = { test: "backups-restore" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-backups-"));
let db: TemporaryDatabase;
let deps: WorkerDeps;
let store: LocalBackupStore;
let fixture: Awaited<ReturnType<typeof createBackupProject>>;

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({
    config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url, SLIPWAY_BACKUP_DIR: join(tmp, "store") }),
    logger: pino({ level: "silent" }),
  });
  store = new LocalBackupStore(join(tmp, "store"));
  fixture = await createBackupProject(deps, { labels, staging: true });
  await addAttachments(deps, { database: fixture.production.database, count: 40, size: 3000, labels });
}, 300_000);

afterAll(async () => {
  if (deps) {
    await cleanupBackupTests(deps, {
      databases: [fixture?.production.database, fixture?.staging?.database].filter((d): d is string => Boolean(d)),
      labels,
    });
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await deps.prisma.$disconnect();
  }
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Owner, mode and type of everything in the database's filestore folder (itself included), once
 * each: "owner" when it is the volume root's owner (the Odoo image's user), else the uid:gid.
 */
async function filestoreOwnership(database: string, volume: string): Promise<string[]> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (c: Buffer) => parts.push(c));
  const script =
    'root="$(stat -c %u:%g /data)"; cd "/data/filestore/$1" && find . -printf "%U:%G %m %y\\n" | sed "s#^$root #owner #" | sort -u';
  const run = await runStreaming({
    docker: deps.docker,
    spec: {
      image: deps.config.odooPgImage,
      user: "0:0",
      entrypoint: ["sh", "-c", script, "sh", database],
      mounts: [{ type: "volume", source: volume, target: "/data", readOnly: true }],
      network: "none",
      labels: { ...labels, role: "test-ownership" },
    },
    stdout: out,
  });
  expect(run.exitCode, run.stderr).toBe(0);
  return Buffer.concat(parts).toString("utf8").trim().split("\n");
}

describe("backup → restore", () => {
  it("restores production to identical data: every table's rows and every filestore file", async () => {
    const { production } = fixture;
    const before = await fingerprint(deps, production.database);
    expect(Object.keys(before.files).length).toBeGreaterThanOrEqual(40);
    const backup = await createBackup({ deps, store, branchId: production.branch.id, kind: "daily" });
    expect(backup.state).toBe("done");
    const manifest = backup.manifest as BackupManifest;
    expect(manifest.odoo.version).toBe("17.0");
    expect(manifest.odoo.modules).toHaveProperty("green_addon");
    expect(manifest.filestore.files).toBe(Object.keys(before.files).length);
    expect(manifest.tables.res_partner).toBeGreaterThan(0);

    // Damage production: rows gone, a table changed, a file added.
    await queryDatabase({
      pg: fixture.pg,
      database: production.database,
      sql: "UPDATE res_partner SET name = name || ' (damaged)' WHERE id > 1",
    });
    await queryDatabase({
      pg: fixture.pg,
      database: production.database,
      sql: "DELETE FROM ir_config_parameter WHERE key = 'web.base.url'",
    });
    await addAttachments(deps, { database: production.database, count: 2, size: 100, labels });
    expect(await fingerprint(deps, production.database)).not.toEqual(before);

    const steps: string[] = [];
    const result = await restoreBackup({
      deps,
      store,
      backupId: backup.id,
      targetBranchId: production.branch.id,
      onStep: (s) => steps.push(s),
    });
    expect(result.neutralized).toBe(false);
    expect(await fingerprint(deps, production.database)).toEqual(before);
    // The restored folder and everything in it belong to the volume's owner (the server keeps
    // writing attachments there): folders 755, files 644.
    expect(await filestoreOwnership(production.database, production.ctx.dataVolume)).toEqual(["owner 644 f", "owner 755 d"]);
    const safety = await deps.prisma.backup.findUniqueOrThrow({ where: { id: result.safetyBackupId } });
    expect(safety).toMatchObject({ kind: "safety", state: "done" });
    expect(manifestOf(safety).filestore.files).toBe(Object.keys(before.files).length + 2);
    // Unchanged files were not stored twice.
    expect(manifestOf(safety).filestore.newFiles).toBe(2);
    expect(await deps.prisma.event.count({ where: { kind: "backup.restored", branchId: production.branch.id } })).toBe(1);
  }, 300_000);

  it("restores production into staging, neutralized", async () => {
    const { production, staging } = fixture;
    const backup = await deps.prisma.backup.findFirstOrThrow({ where: { branchId: production.branch.id, kind: "daily", state: "done" } });
    const result = await restoreBackup({
      deps,
      store,
      backupId: backup.id,
      targetBranchId: staging!.branch.id,
      catcher: { host: "172.17.0.1", port: 2525 },
    });
    expect(result.neutralized).toBe(true);
    const flag = await queryDatabase<{ value: string }>({
      pg: fixture.pg,
      database: staging!.database,
      sql: "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
    });
    expect(flag.map((r) => r.value.toLowerCase())).toEqual(["true"]);
    const prod = await fingerprint(deps, production.database);
    const copy = await fingerprint(deps, staging!.database);
    expect(copy.files).toEqual(prod.files);
    expect(copy.tables.res_partner).toBe(prod.tables.res_partner);
  }, 300_000);

  it("rolls a failed swap back: the server is started again on the untouched database", async () => {
    const { production } = fixture;
    const server = await createAndStart({
      docker: deps.docker,
      spec: {
        image: deps.config.odooPgImage,
        name: `slipway-test-bk-server-${production.database}`,
        entrypoint: ["sh", "-c", 'trap "exit 0" TERM; sleep 600 & wait'],
        labels: { ...labels, role: "test-server" },
      },
    });
    const before = await fingerprint(deps, production.database);
    const ctx = await toolsContextOf(deps, labels);
    const steps: string[] = [];
    await expect(
      swapDatabase({
        ctx,
        target: { database: production.database, volume: production.ctx.dataVolume, containerName: server.name },
        scratchDatabase: "slipway_restore_missing",
        incomingDir: ".incoming-missing",
        onStep: (s) => steps.push(s),
        home: deps.config.home,
      }),
    ).rejects.toThrow(/rename of database slipway_restore_missing/);
    expect(steps.slice(0, 2)).toEqual(["stop server", "swap databases"]);
    expect(steps.at(-1)).toMatch(/^rollback: /);
    expect((await inspectContainer({ docker: deps.docker, id: server.id }))?.running).toBe(true);
    expect(await fingerprint(deps, production.database)).toEqual(before);
  }, 120_000);
});
