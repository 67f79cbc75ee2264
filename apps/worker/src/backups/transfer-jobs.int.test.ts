import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { insertProject } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { uploadKeys, type UploadCheck, type UploadMeta } from "@slipway/domain";
import { createRedisConnection, subscribeProjectNotices, type JobHandler, type ProjectNotice } from "@slipway/queue";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { withBackupNotices } from "./backup-notices";
import { backupTransferHandlers, sweepTransfers } from "./transfer-jobs";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";

// The transfer jobs on real files, PostgreSQL and Redis (no Docker needed for these paths).
const root = mkdtempSync(join(tmpdir(), "slipway-transfers-"));
let db: TemporaryDatabase;
let deps: WorkerDeps;
let branchId: string;
let projectId: string;

const manifest = JSON.stringify({
  odoo_dump: "1",
  db_name: "shop",
  version: "17.0",
  major_version: "17.0",
  pg_version: "15.0",
  modules: { base: "17.0.1.3" },
});

/** Writes an upload the way the web does (bytes + meta) and returns its name. */
function upload(bytes: Buffer | ((path: string) => void)): string {
  const name = `u-${randomBytes(12).toString("hex")}`;
  const keys = uploadKeys(name);
  mkdirSync(join(root, "uploads"), { recursive: true });
  if (typeof bytes === "function") bytes(join(root, keys.data));
  else writeFileSync(join(root, keys.data), bytes);
  const meta: UploadMeta = { projectId, branchId, userId: null, fileName: "x.zip", sizeBytes: 0, uploadedAt: new Date().toISOString() };
  writeFileSync(join(root, keys.meta), JSON.stringify(meta));
  return name;
}

function zip(path: string, entries: Record<string, string>): void {
  const script =
    "import zipfile,sys,json\nz=zipfile.ZipFile(sys.argv[1],'w',zipfile.ZIP_DEFLATED)\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()";
  execFileSync("python3", ["-c", script, path, JSON.stringify(entries)]);
}

const check = (name: string) => JSON.parse(readFileSync(join(root, uploadKeys(name).check), "utf8")) as UploadCheck;
const job = { jobId: "t", attempt: 1, signal: new AbortController().signal };

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({
    config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url, SLIPWAY_BACKUP_DIR: root, SLIPWAY_IMPORT_MAX_BYTES: "100000" }),
    logger: pino({ level: "silent" }),
  });
  const user = await deps.prisma.user.create({ data: { login: "t" } });
  const project = await insertProject(deps.prisma, {
    slug: "transfers",
    name: "T",
    repoUrl: "/x.git",
    repoKind: "generic",
    odooVersion: "17.0",
    odooImage: "odoo:17.0",
    baseDomain: "slipway.localhost",
    webhookSecretEnc: "v1:x:y:z",
    creatorId: user.id,
  });
  projectId = project.id;
  branchId = (await deps.prisma.branch.create({ data: { projectId, name: "main", stage: "production", productionSlot: true } })).id;
});

afterAll(async () => {
  if (deps) await removeTestProjectNetworks(deps).catch(() => undefined);
  await deps?.redis.quit().catch(() => undefined);
  await deps?.queues.close().catch(() => undefined);
  await deps?.prisma.$disconnect();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe("backup.inspect-upload", () => {
  it("accepts an Odoo zip and a pg custom dump, with what the page shows", async () => {
    const good = upload((p) =>
      zip(p, { "dump.sql": "--\n-- PostgreSQL database dump\n--\nSELECT 1;\n", "manifest.json": manifest, "filestore/ab/abc": "x" }),
    );
    await backupTransferHandlers(deps)["backup.inspect-upload"]({ branchId, upload: good }, job);
    expect(check(good)).toMatchObject({ ok: true, format: "zip", odooVersion: "17.0", database: "shop", filestoreFiles: 1 });
    expect(existsSync(join(root, uploadKeys(good).data))).toBe(true);
    const dump = upload(Buffer.concat([Buffer.from("PGDMP"), randomBytes(100)]));
    await backupTransferHandlers(deps)["backup.inspect-upload"]({ branchId, upload: dump }, job);
    expect(check(dump)).toMatchObject({ ok: true, format: "dump", odooVersion: null });
  });

  it("refuses ../ paths, another Odoo version and oversized files with the engine's message, and drops the bytes", async () => {
    const cases: [string, RegExp][] = [
      [
        upload((p) => zip(p, { "dump.sql": "SELECT 1;", "manifest.json": manifest, "filestore/../../etc/x": "boom" })),
        /unsafe path "filestore\/\.\.\/\.\.\/etc\/x"/,
      ],
      [
        upload((p) => zip(p, { "dump.sql": "SELECT 1;", "manifest.json": manifest.replaceAll("17.0", "16.0") })),
        /made with Odoo 16\.0 but the project runs Odoo 17\.0/,
      ],
      [upload(randomBytes(200_000)), /above the .* import limit/],
    ];
    for (const [name, message] of cases) {
      await backupTransferHandlers(deps)["backup.inspect-upload"]({ branchId, upload: name }, job);
      const verdict = check(name);
      expect(verdict.ok).toBe(false);
      expect(verdict.ok ? "" : verdict.message).toMatch(message);
      expect(existsSync(join(root, uploadKeys(name).data))).toBe(false);
    }
  });

  it("refuses an upload sent for another branch", async () => {
    const name = upload(Buffer.from("PGDMP"));
    const other = (await deps.prisma.branch.create({ data: { projectId, name: "other", stage: "staging" } })).id;
    await expect(backupTransferHandlers(deps)["backup.inspect-upload"]({ branchId: other, upload: name }, job)).rejects.toThrow(
      /was not sent for branch/,
    );
    expect(existsSync(join(root, uploadKeys(name).check))).toBe(false);
  });
});

describe("sweepTransfers", () => {
  it("deletes files older than a day only", async () => {
    const dir = join(root, "sweep");
    mkdirSync(dir);
    writeFileSync(join(dir, "old"), "x");
    writeFileSync(join(dir, "new"), "x");
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(join(dir, "old"), twoDaysAgo, twoDaysAgo);
    expect(await sweepTransfers({ dir })).toBe(1);
    expect([existsSync(join(dir, "old")), existsSync(join(dir, "new"))]).toEqual([false, true]);
    expect(await sweepTransfers({ dir: join(root, "missing") })).toBe(0);
  });
});

describe("withBackupNotices", () => {
  it("publishes a branch notice when a backup job starts and when it ends, also when it fails", async () => {
    const subscriber = createRedisConnection({ url: deps.config.redisUrl, role: "producer", name: "transfer-test" });
    const seen: ProjectNotice[] = [];
    const stop = await subscribeProjectNotices(subscriber, projectId, (n) => seen.push(n));
    try {
      const handlers = withBackupNotices(deps, {
        "backup.restore": (async () => undefined) as JobHandler<"backup.restore">,
        "backup.import": (async () => {
          throw new Error("load failed");
        }) as JobHandler<"backup.import">,
      });
      await handlers["backup.restore"]!({ backupId: "6f1c2b9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", targetBranchId: branchId }, job);
      await expect(handlers["backup.import"]!({ branchId, upload: "u-1", confirmOverwrite: true }, job)).rejects.toThrow("load failed");
      await expect.poll(() => seen.length).toBe(4);
      expect(seen.every((n) => n.kind === "branch" && n.branchId === branchId && n.projectId === projectId)).toBe(true);
    } finally {
      await stop();
    }
  });
});
