import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createQueues, jobCatalog } from "@slipway/queue";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { dailyBackup } from "./daily-backup";
import { openDump } from "./engine/dump-file";
import type { BackupManifest } from "./engine/manifest";
import { pruneBackups } from "./prune-backups";
import { dailySchedulerId, syncBackupSchedulers, VERIFY_SCHEDULER_ID } from "./schedule-backups";
import { LocalBackupStore } from "./store/local-store";
import { addAttachments, createBackupProject, tearDownBackupTests } from "./testing/backup-fixture";
import { verifyBackup } from "./verify-backup";

/** A manifest as the JSON document a Backup row stores. */
const asJson = (value: object) => JSON.parse(JSON.stringify(value));

const labels = { test: "backups-retention" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-retention-"));
const DAY = 86_400_000;
let db: TemporaryDatabase;
let deps: WorkerDeps;
let store: LocalBackupStore;
let fixture: Awaited<ReturnType<typeof createBackupProject>>;
let first: { id: string; manifest: BackupManifest };

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({ config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url }), logger: pino({ level: "silent" }) });
  store = new LocalBackupStore(join(tmp, "store"));
  fixture = await createBackupProject(deps, { labels });
  await addAttachments(deps, { database: fixture.production.database, count: 10, size: 2000, labels });
}, 300_000);

afterAll(() => tearDownBackupTests({ deps, db, tmp, labels, databases: [fixture?.production.database] }));

describe("daily job and restore tests", () => {
  it("takes the daily production backup (day 1 of the simulation) and prunes", async () => {
    const result = await dailyBackup({ deps, store, projectId: fixture.project.id, now: new Date("2026-01-01T02:00:00Z") });
    if ("skipped" in result) throw new Error(result.skipped);
    expect(result.backup).toMatchObject({ kind: "daily", state: "done" });
    expect(result.pruned.deletedBackups).toEqual([]);
    first = { id: result.backup.id, manifest: result.backup.manifest as BackupManifest };
  }, 120_000);

  it("verifies a good backup by restoring it into a throwaway database", async () => {
    const result = await verifyBackup({ deps, store, backupId: first.id });
    expect(result).toEqual({ backupId: first.id, ok: true, problems: [] });
    const row = await deps.prisma.backup.findUniqueOrThrow({ where: { id: first.id } });
    expect(row.verifiedAt).toBeInstanceOf(Date);
    expect(row.verifyError).toBeNull();
  }, 120_000);

  it("marks a damaged backup: a filestore object changed, row counts not matching", async () => {
    const index = readFileSync(join(tmp, "store", first.manifest.filestore.indexKey), "utf8")
      .trim()
      .split("\n");
    const victim = (JSON.parse(index[0]!) as { h: string }).h;
    const objectPath = join(tmp, "store", "objects", victim.slice(0, 2), victim);
    const good = readFileSync(objectPath);
    writeFileSync(objectPath, Buffer.concat([good.subarray(1), Buffer.from("!")]));
    const tampered = { ...first.manifest, tables: { ...first.manifest.tables, res_partner: (first.manifest.tables.res_partner ?? 0) + 1 } };
    await deps.prisma.backup.update({ where: { id: first.id }, data: { manifest: asJson(tampered) } });
    try {
      const result = await verifyBackup({ deps, store, backupId: first.id });
      expect(result.ok).toBe(false);
      expect(result.problems.some((p) => /^rows of table res_partner: expected \d+, found \d+$/.test(p))).toBe(true);
      expect(result.problems.some((p) => /^filestore .+: content does not match its checksum$/.test(p))).toBe(true);
      const row = await deps.prisma.backup.findUniqueOrThrow({ where: { id: first.id } });
      expect(row.verifiedAt).toBeNull();
      expect(row.verifyError).toMatch(/res_partner/);
    } finally {
      writeFileSync(objectPath, good);
      await deps.prisma.backup.update({ where: { id: first.id }, data: { manifest: asJson(first.manifest) } });
    }
  }, 120_000);
});

describe("120 days of daily runs", () => {
  it("keeps exactly 7 daily, 4 weekly, 3 monthly backups; dropped ones lose their rows, files and unshared objects", async () => {
    const uniqueObject = new Map<string, string>(); // backup id → its own object
    const dateOf = new Map<string, string>([[first.id, "2026-01-01"]]);
    const baseIndex = readFileSync(join(tmp, "store", first.manifest.filestore.indexKey), "utf8");
    // The first backup is pruned on the way; the clones keep its dump as a plain file (the layout
    // before ADR 0008, still readable), so its chunks are listed by nobody once it is gone.
    const dumpParts: Buffer[] = [];
    for await (const part of await openDump(store, first.manifest)) dumpParts.push(part as Buffer);
    const baseDump = Buffer.concat(dumpParts);
    expect(first.manifest.dump.chunks?.count).toBeGreaterThan(0);
    const addDay = async (takenAt: Date, kind: "daily" | "manual") => {
      // Each run is the first backup plus 1 new attachment (churn): files copied, objects shared.
      const row = await deps.prisma.backup.create({
        data: { projectId: fixture.project.id, branchId: fixture.production.branch.id, kind, state: "running", createdAt: takenAt },
      });
      const location = `backups/${row.id}`;
      const object = await store.putObject(Readable.from([randomBytes(3000)]));
      const index = await store.put(
        `${location}/filestore.jsonl`,
        Readable.from([baseIndex + JSON.stringify({ p: `zz/${row.id}`, h: object.sha256, s: object.size }) + "\n"]),
      );
      const dump = await store.put(`${location}/dump.pgc`, Readable.from([baseDump]));
      const manifest: BackupManifest = {
        ...first.manifest,
        backupId: row.id,
        kind,
        createdAt: takenAt.toISOString(),
        dump: { key: `${location}/dump.pgc`, ...dump },
        filestore: { ...first.manifest.filestore, indexKey: `${location}/filestore.jsonl`, indexSha256: index.sha256 },
      };
      await store.put(`${location}/manifest.json`, Readable.from([JSON.stringify(manifest)]));
      await deps.prisma.backup.update({
        where: { id: row.id },
        data: { state: "done", location, manifest: asJson(manifest) },
      });
      uniqueObject.set(row.id, object.sha256);
      dateOf.set(row.id, `${takenAt.toISOString().slice(0, 10)}${kind === "manual" ? " manual" : ""}`);
    };
    const start = Date.parse("2026-01-01T02:00:00Z");
    for (let day = 1; day < 120; day++) {
      const now = new Date(start + day * DAY);
      await addDay(now, "daily");
      if (day === 109 || day === 116) await addDay(new Date(now.getTime() + 3 * 3600_000), "manual"); // 20 and 27 April
      await pruneBackups({ deps, store, projectId: fixture.project.id, now: new Date(now.getTime() + 3600_000), objectGraceMs: 0 });
    }
    const rows = await deps.prisma.backup.findMany({ where: { projectId: fixture.project.id }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => dateOf.get(r.id))).toEqual([
      "2026-02-28", // February (monthly)
      "2026-03-31", // March (monthly)
      "2026-04-12", // ISO week 15
      "2026-04-19", // ISO week 16
      "2026-04-24",
      "2026-04-25",
      "2026-04-26", // daily (26: also week 17)
      "2026-04-27",
      "2026-04-27 manual", // manual: kept 7 days
      "2026-04-28",
      "2026-04-29",
      "2026-04-30", // daily (30: also week 18 and April)
    ]);
    // Files: exactly the kept backups' folders remain; objects of dropped backups are gone.
    const folders = new Set((await store.list("backups")).map((k) => k.split("/")[1]));
    expect([...folders].sort()).toEqual(rows.map((r) => r.id).sort());
    const objects = new Set<string>();
    for await (const o of store.listObjects()) objects.add(o.sha256);
    for (const [id, sha] of uniqueObject) expect(objects.has(sha), dateOf.get(id)).toBe(rows.some((r) => r.id === id));
    for (const line of baseIndex.trim().split("\n")) expect(objects.has((JSON.parse(line) as { h: string }).h)).toBe(true);
    expect(objects.size).toBe(baseIndex.trim().split("\n").length + rows.length); // every kept backup is a clone with one own file
    // The pruned first backup's dump chunks were freed too.
    const chunks: string[] = [];
    for await (const c of store.listChunks()) chunks.push(c.sha256);
    expect(chunks).toEqual([]);
  }, 300_000);
});

describe("schedulers", () => {
  it("registers one daily backup per project at the configured hour and removes those of deleted projects", async () => {
    const queues = createQueues({ connection: deps.redis, prefix: `slipway-test-bk-${randomBytes(4).toString("hex")}` });
    try {
      const other = await deps.prisma.project.create({
        data: { ...(({ id: _id, createdAt: _c, updatedAt: _u, ...p }) => p)(fixture.project), slug: `${fixture.project.slug}x` },
      });
      expect(await syncBackupSchedulers({ deps: { ...deps, queues } })).toEqual({ projects: 2, removed: 0 });
      const queue = queues.get(jobCatalog["backup.daily"].queue);
      const schedulers = await queue.getJobSchedulers(0, -1);
      const daily = schedulers.find((s) => s.key === dailySchedulerId(fixture.project.id));
      expect(daily).toMatchObject({ name: "backup.daily", pattern: "0 2 * * *", tz: "UTC" });
      expect(new Date(daily!.next!).getUTCHours()).toBe(2);
      expect(schedulers.find((s) => s.key === VERIFY_SCHEDULER_ID)).toMatchObject({ pattern: "0 4 * * *" });
      // Idempotent, and a deleted project loses its schedule.
      await deps.prisma.project.delete({ where: { id: other.id } });
      expect(await syncBackupSchedulers({ deps: { ...deps, queues } })).toEqual({ projects: 1, removed: 1 });
      expect((await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort()).toEqual(
        [dailySchedulerId(fixture.project.id), VERIFY_SCHEDULER_ID].sort(),
      );
    } finally {
      await queues.get("backups").obliterate({ force: true });
      await queues.close();
    }
  }, 60_000);
});
