import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { odooPostgresDir } from "@slipway/config";
import { createBackup } from "../backups/create-backup";
import { LocalBackupStore } from "../backups/store/local-store";
import { RequestLogReader } from "../monitor/request-log-reader";
import { sampleMetrics } from "../monitor/sample-metrics";
import { dropProjectStagingClones, postgresFor, stagingCloneBackend } from "../odoo/staging-clones";
import { cloneContainerName, databaseExists, removeStandby } from "../postgres";
import { createPipelineHarness, type PipelineHarness } from "../testing/pipeline-harness";
import { fixtureAddon, type Tree } from "../testing/tree-repo";

const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
let h: PipelineHarness;

const v1 = fixtureAddon("green_addon");
const v11: Tree = {
  ...v1,
  "addons/green_addon/__manifest__.py": v1["addons/green_addon/__manifest__.py"]!.replace("'version': '1.0'", "'version': '1.1'"),
};

interface Identity {
  uuid: string | undefined;
  neutralized: string | undefined;
  activeCrons: number;
  activeMailServers: string[];
  greenVersion: string | undefined;
}

async function identity(database: string): Promise<Identity> {
  const param = async (key: string) =>
    (await h.sql<{ value: string }>(database, "SELECT value FROM ir_config_parameter WHERE key = $1", [key]))[0]?.value;
  const crons = await h.sql<{ n: number }>(database, "SELECT count(*)::int AS n FROM ir_cron WHERE active");
  const servers = await h.sql<{ name: string }>(database, "SELECT name FROM ir_mail_server WHERE active ORDER BY name");
  const green = await h.sql<{ latest_version: string }>(database, "SELECT latest_version FROM ir_module_module WHERE name = 'green_addon'");
  return {
    uuid: await param("database.uuid"),
    neutralized: await param("database.is_neutralized"),
    activeCrons: crons[0]!.n,
    activeMailServers: servers.map((s) => s.name),
    greenVersion: green[0]?.latest_version,
  };
}

beforeAll(async () => {
  h = await createPipelineHarness({ prefix: "stag", image, env: process.env });
});

afterAll(async () => {
  await h?.close();
});

describe("staging builds", () => {
  let production: Identity;
  let firstStaging = { id: "", databaseName: "" };

  it("refuses to build before there is a production database to copy", async () => {
    const build = await h.pushAndBuild("early", v1, { stage: "staging" });
    expect(build).toMatchObject({ state: "failed", result: "red" });
    expect(build.failureReason).toMatch(/no production database/);
  });

  it("copies production, neutralizes it (crons, mail, flag, new uuid), updates the changed modules and serves it; production is untouched", async () => {
    const prod = await h.pushAndBuild("main", v1, { stage: "production" });
    expect(prod.state).toBe("running");
    await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('from production', 2, 4)");
    // A real mail server and an active cron in production, as a live database has.
    await h.sql(
      h.slug,
      "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, sequence, active) VALUES ('Real SMTP', 'smtp.example.com', 587, 'starttls', 'login', 1, true)",
    );
    production = await identity(h.slug);
    expect(production.activeCrons).toBeGreaterThan(1);

    const build = await h.pushAndBuild("staging-1", v11, { stage: "staging" });
    expect(build.failureReason).toBeNull();
    expect(build).toMatchObject({ stage: "staging", state: "running", modulesToUpdate: ["green_addon"] });
    expect(build.steps.map((s) => [s.name, s.state])).toEqual([
      ["fetch", "succeeded"],
      ["discover", "succeeded"],
      ["dependencies", "succeeded"],
      ["copy", "succeeded"],
      ["neutralize", "succeeded"],
      ["update", "succeeded"],
      ["start", "succeeded"],
      ["route", "succeeded"],
    ]);
    firstStaging = { id: build.id, databaseName: build.databaseName! };
    const staging = await identity(build.databaseName!);
    expect(staging.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(staging.uuid).not.toBe(production.uuid);
    expect(staging.neutralized).toBe("true");
    expect(staging.activeMailServers).toEqual(["Slipway mail catcher"]);
    const crons = await h.sql<{ name: string }>(
      build.databaseName!,
      "SELECT d.name FROM ir_cron c JOIN ir_model_data d ON d.model = 'ir.cron' AND d.res_id = c.id WHERE c.active",
    );
    expect(crons).toEqual([{ name: "autovacuum_job" }]);
    expect(staging.greenVersion).toBe("17.0.1.1");
    // Production data came along, including its filestore.
    expect(await h.sql(build.databaseName!, "SELECT name FROM green_item")).toEqual([{ name: "from production" }]);
    const copy = build.steps.find((s) => s.name === "copy")!.detail as { mode: string; filestoreMode: string; files: number };
    expect(copy).toMatchObject({ mode: "copy", filestoreMode: "hardlink" });
    expect(copy.files).toBeGreaterThan(0);
    const log = build.steps.find((s) => s.name === "neutralize")!;
    expect(log.logFile).toBe("neutralize.log");
    // Served with the red banner; production not neutralized at all.
    expect((await h.get(build.hostname!, "/web/health")).status).toBe(200);
    expect(await identity(h.slug)).toEqual(production);
  });

  it("push behaviour 'update previous build' takes the previous database over: no copy, still neutralized", async () => {
    await h.prisma.branch.update({
      where: { projectId_name: { projectId: h.projectId, name: "staging-1" } },
      data: { pushBehavior: "update_previous" },
    });
    await h.sql(firstStaging.databaseName, "INSERT INTO green_item (name, qty, double_qty) VALUES ('made in staging', 1, 2)");
    const tree = { ...v11, "addons/green_addon/README.md": "again\n" };
    const build = await h.pushAndBuild("staging-1", tree);
    expect(build.failureReason).toBeNull();
    expect(build.state).toBe("running");
    expect((build.steps.find((s) => s.name === "copy")!.detail as { mode: string }).mode).toBe("reuse");
    expect(await h.sql(build.databaseName!, "SELECT name FROM green_item ORDER BY id")).toEqual([
      { name: "from production" },
      { name: "made in staging" },
    ]);
    expect((await identity(build.databaseName!)).neutralized).toBe("true");
    expect(await databaseExists({ pg: await h.deps.postgres(), name: firstStaging.databaseName })).toBe(false);
    expect(await h.prisma.build.findUniqueOrThrow({ where: { id: firstStaging.id } })).toMatchObject({
      state: "stopped",
      databaseName: null,
    });
    expect(await identity(h.slug)).toEqual(production);
  });

  it("refuses to start when the neutralization cannot be verified: red, reason lists the failed checks, nothing served", async () => {
    // A catcher address that the verification cannot match: the statements use it, but a trigger
    // in production (copied along) re-activates the real server right after.
    await h.sql(
      h.slug,
      `CREATE OR REPLACE FUNCTION keep_real_smtp() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = 'Real SMTP' THEN NEW.active := true; END IF; RETURN NEW; END $$`,
    );
    await h.sql(h.slug, "CREATE TRIGGER keep_real_smtp BEFORE UPDATE ON ir_mail_server FOR EACH ROW EXECUTE FUNCTION keep_real_smtp()");
    const build = await h.pushAndBuild("staging-2", v11, { stage: "staging" });
    expect(build).toMatchObject({ state: "failed", result: "red" });
    expect(build.failureReason).toMatch(/neutralization verification failed: only_catcher_mail_server/);
    expect(build.steps.find((s) => s.name === "start")).toBeUndefined();
    expect(await databaseExists({ pg: await h.deps.postgres(), name: build.databaseName! })).toBe(false);
    await h.sql(h.slug, "DROP TRIGGER keep_real_smtp ON ir_mail_server");
  });

  it("with a staging source max age, staging builds template-copy one kept snapshot of production", async () => {
    h.deps.stagingSourceMaxAgeMs = 60_000;
    try {
      const first = await h.pushAndBuild("staging-3", v11, { stage: "staging" });
      const second = await h.pushAndBuild("staging-4", v11, { stage: "staging" });
      for (const b of [first, second]) expect(b.failureReason).toBeNull();
      const detail = (b: typeof first) =>
        b.steps.find((s) => s.name === "copy")!.detail as { sourceRefreshed: boolean; filestoreMode: string };
      expect(detail(first)).toMatchObject({ sourceRefreshed: true, filestoreMode: "hardlink" });
      expect(detail(second)).toMatchObject({ sourceRefreshed: false, filestoreMode: "hardlink" });
      expect(await databaseExists({ pg: await h.deps.postgres(), name: `${h.slug}_snapshot` })).toBe(true);
      expect(await h.sql(second.databaseName!, "SELECT name FROM green_item")).toEqual([{ name: "from production" }]);
      expect((await identity(second.databaseName!)).neutralized).toBe("true");
    } finally {
      delete h.deps.stagingSourceMaxAgeMs;
    }
  });

  it("with staging clones on (ADR 0009), the copy is a snapshot of production's standby in the build's own cluster: current, neutralized, served", async () => {
    h.deps.stagingClones = { mode: "auto", loopSizeGb: 8 };
    try {
      // The standby (a base backup of the managed server, once).
      const backend = await stagingCloneBackend(h.deps, { wait: true });
      expect(backend.ok, backend.ok ? "" : backend.reason).toBe(true);
      await h.sql(h.slug, "INSERT INTO green_item (name, qty, double_qty) VALUES ('just before', 1, 2)");
      const build = await h.pushAndBuild("staging-5", v11, { stage: "staging" });
      expect(build.failureReason).toBeNull();
      expect(build.state).toBe("running");
      const copy = build.steps.find((s) => s.name === "copy")!.detail as {
        copyMode: string;
        filestoreMode: string;
        clone: { totalMs: number };
      };
      expect(copy).toMatchObject({ copyMode: "clone", filestoreMode: "hardlink" });
      const db = build.databaseName!;
      // Its own server: not on the managed one; the build's Odoo, the worker and the shell find it there.
      expect((await postgresFor(h.deps, db)).containerName).toBe(cloneContainerName(db));
      expect(await databaseExists({ pg: await h.deps.postgres(), name: db })).toBe(false);
      expect(await h.sql(db, "SELECT name FROM green_item WHERE name = 'just before'")).toHaveLength(1);
      const staging = await identity(db);
      expect(staging.neutralized).toBe("true");
      expect(staging.activeMailServers).toEqual(["Slipway mail catcher"]);
      expect(staging.uuid).not.toBe((await identity(h.slug)).uuid);
      expect((await h.get(build.hostname!, "/web/health")).status).toBe(200);
      // The Monitor reads the database's size and connections on its own cluster.
      await sampleMetrics({ deps: h.deps, state: { reader: new RequestLogReader(), storage: new Map() } });
      const sample = await h.prisma.metric.findFirst({ where: { buildId: build.id } });
      expect(sample!.databaseBytes).toBeGreaterThan(1_000_000n);
      // null when the database is not found; a count (the cluster's own) when it is.
      expect(sample!.dbConnections).toBeGreaterThanOrEqual(0);
      expect(sample!.pgConnections).toBe(sample!.dbConnections);
      // A backup of the cloned staging database: pg_dump (as the staging role) reaches its own cluster.
      const storeRoot = mkdtempSync(join(tmpdir(), "slipway-clone-backup-"));
      try {
        const backup = await createBackup({
          deps: h.deps,
          store: new LocalBackupStore(storeRoot),
          branchId: build.branchId,
          kind: "manual",
        });
        expect(backup.state, backup.error ?? "").toBe("done");
        const manifest = backup.manifest as { database: string; tables: Record<string, number> };
        expect(manifest.database).toBe(db);
        // The clone's rows, counted from the dump: production's plus the one written just before the copy.
        const rows = await h.sql<{ n: number }>(db, "SELECT count(*)::int AS n FROM green_item");
        expect(manifest.tables.green_item).toBe(rows[0]!.n);
        expect(manifest.tables.green_item).toBeGreaterThanOrEqual(1);
      } finally {
        rmSync(storeRoot, { recursive: true, force: true });
      }

      // "Update previous build": the cluster moves to the next build's name with the data made in staging.
      await h.prisma.branch.update({
        where: { projectId_name: { projectId: h.projectId, name: "staging-5" } },
        data: { pushBehavior: "update_previous" },
      });
      await h.sql(db, "INSERT INTO green_item (name, qty, double_qty) VALUES ('made in the staging clone', 1, 2)");
      const next = await h.pushAndBuild("staging-5", { ...v11, "README.md": "again" }, { stage: "staging" });
      expect(next.failureReason).toBeNull();
      expect(next.steps.find((s) => s.name === "copy")!.detail).toMatchObject({ mode: "reuse", from: build.id });
      expect((await postgresFor(h.deps, next.databaseName!)).containerName).toBe(cloneContainerName(next.databaseName!));
      expect((await postgresFor(h.deps, db)).containerName).not.toBe(cloneContainerName(db));
      expect(await h.sql(next.databaseName!, "SELECT 1 FROM green_item WHERE name = 'made in the staging clone'")).toHaveLength(1);
      expect((await h.get(next.hostname!, "/web/health")).status).toBe(200);
    } finally {
      await dropProjectStagingClones(h.deps, h.projectId);
      const backend = await stagingCloneBackend(h.deps).catch(() => null);
      if (backend?.ok) await removeStandby({ docker: h.deps.docker, primary: await h.deps.postgres(), storage: backend.storage });
      try {
        execFileSync("umount", [join(odooPostgresDir(h.deps.config.home), "clones")]);
      } catch {
        // another run still uses it
      }
      delete h.deps.stagingClones;
    }
  }, 600_000);
});
