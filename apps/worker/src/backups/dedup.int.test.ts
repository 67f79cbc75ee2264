// Deduplicated dumps (ADR 0008): row counts read from the dump, a second backup of an unchanged
// database stores (almost) nothing, the sweep frees what no backup lists and never what a backup
// being written may use, and a damaged chunk is caught by the restore test.
import { readdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { insertPendingBackup, markBackupRunning } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { withClient } from "../postgres";
import { createBackup } from "./create-backup";
import { readChunkList } from "./engine/chunked-blob";
import { countTableRows, type BackupManifest } from "./engine/manifest";
import { sweepObjects } from "./prune-backups";
import { LocalBackupStore } from "./store/local-store";
import { addAttachments, createBackupProject, tearDownBackupTests } from "./testing/backup-fixture";
import { verifyBackup } from "./verify-backup";

const labels = { test: "backups-dedup" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-dedup-"));
let db: TemporaryDatabase;
let deps: WorkerDeps;
let store: LocalBackupStore;
let fixture: Awaited<ReturnType<typeof createBackupProject>>;
const backups: { id: string; manifest: BackupManifest }[] = [];
const chunkPath = (sha: string) => join(tmp, "store", "chunks", sha.slice(0, 2), sha);
const chunkCount = () =>
  readdirSync(join(tmp, "store", "chunks")).reduce((n, d) => n + readdirSync(join(tmp, "store", "chunks", d)).length, 0);
async function chunksOf(m: BackupManifest): Promise<string[]> {
  const out: string[] = [];
  for await (const c of readChunkList(store, m.dump.chunks!.key)) out.push(c.sha256);
  return out;
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({ config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url }), logger: pino({ level: "silent" }) });
  store = new LocalBackupStore(join(tmp, "store"));
  fixture = await createBackupProject(deps, { labels });
  await addAttachments(deps, { database: fixture.production.database, count: 10, size: 2000, labels });
  // Enough rows for several chunks: dedup is about the bulk of the data.
  await withClient({ pg: fixture.pg, database: fixture.production.database }, async (c) => {
    await c.query(`SET ROLE "${fixture.production.database}"`);
    await c.query("CREATE TABLE dedup_rows (id serial PRIMARY KEY, payload text)");
    await c.query("INSERT INTO dedup_rows (payload) SELECT md5(i::text) || repeat(md5((i * 7)::text), 4) FROM generate_series(1, 40000) i");
  });
}, 300_000);

afterAll(() => tearDownBackupTests({ deps, db, tmp, labels, databases: [fixture?.production.database] }));

describe("deduplicated backups", () => {
  it("stores the dump as chunks, with every table's rows counted from the dump itself", async () => {
    const b = await createBackup({ deps, store, branchId: fixture.production.branch.id, kind: "manual" });
    const m = b.manifest as unknown as BackupManifest;
    backups.push({ id: b.id, manifest: m });
    expect(m.rowCounts).toBe("dump");
    const sql = await withClient({ pg: fixture.pg, database: fixture.production.database }, (c) => countTableRows(c));
    expect(m.tables).toEqual(sql);
    expect(m.tables.dedup_rows).toBe(40000);
    expect(m.dump.chunks!.count).toBeGreaterThan(5);
    expect(m.dump.chunks!.newCount).toBe(m.dump.chunks!.count);
    expect(m.dump.chunks!.newStoredBytes).toBeLessThan(m.dump.size / 2);
  }, 180_000);

  it("a second backup of the unchanged database adds (almost) no bytes", async () => {
    const b = await createBackup({ deps, store, branchId: fixture.production.branch.id, kind: "manual" });
    const m = b.manifest as unknown as BackupManifest;
    backups.push({ id: b.id, manifest: m });
    // pg_dump's header holds the time of the dump: the first chunk differs, nothing else.
    expect(m.dump.chunks!.newCount).toBeLessThanOrEqual(1);
    expect(m.dump.chunks!.newStoredBytes).toBeLessThan(64 * 1024);
    expect(m.filestore.newBytes).toBe(0);
    expect(m.tables).toEqual(backups[0]!.manifest.tables);
    expect((await chunksOf(m)).slice(1)).toEqual((await chunksOf(backups[0]!.manifest)).slice(1));
  }, 180_000);

  it("sweeps the chunks no backup lists, never while a backup is being written, never a listed one", async () => {
    const [first, second] = backups as [(typeof backups)[0], (typeof backups)[0]];
    const onlyFirst = await chunksOf(first.manifest);
    const secondChunks = new Set(await chunksOf(second.manifest));
    const orphans = onlyFirst.filter((c) => !secondChunks.has(c));
    expect(orphans.length).toBeGreaterThanOrEqual(1);
    // The first backup goes (files first, then its row, as pruning does).
    await store.delete(`backups/${first.id}`);
    await deps.prisma.backup.delete({ where: { id: first.id } });

    // A backup being written (running, in the store): nothing is swept, whatever the grace.
    const writing = await insertPendingBackup(deps.prisma, {
      projectId: fixture.project.id,
      branchId: fixture.production.branch.id,
      kind: "manual",
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    await markBackupRunning(deps.prisma, { backupId: writing.id, location: `backups/${writing.id}` });
    const before = chunkCount();
    expect(await sweepObjects({ deps, store, graceMs: 0 })).toMatchObject({ deletedChunks: 0, deletedObjects: 0 });
    expect(chunkCount()).toBe(before);
    await deps.prisma.backup.delete({ where: { id: writing.id } });

    // Chunks used within the grace period are kept even when unlisted.
    expect((await sweepObjects({ deps, store, graceMs: 3600_000 })).deletedChunks).toBe(0);

    const swept = await sweepObjects({ deps, store, graceMs: 0 });
    expect(swept.deletedChunks).toBe(orphans.length);
    expect(swept.freedChunkBytes).toBeGreaterThan(0);
    for (const c of orphans) expect(() => statSync(chunkPath(c))).toThrow();
    for (const c of secondChunks) expect(statSync(chunkPath(c)).isFile()).toBe(true);
    expect(chunkCount()).toBe(secondChunks.size);
    // What is left restores whole.
    expect(await verifyBackup({ deps, store, backupId: second.id })).toMatchObject({ ok: true, problems: [] });
  }, 240_000);

  it("the restore test catches a damaged chunk", async () => {
    const second = backups[1]!;
    const victim = chunkPath((await chunksOf(second.manifest))[3]!);
    const good = readFileSync(victim);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 0x01;
    writeFileSync(victim, bad);
    try {
      const result = await verifyBackup({ deps, store, backupId: second.id });
      expect(result.ok).toBe(false);
      expect(result.problems.join("\n")).toMatch(/dump chunk [0-9a-f]{64} is damaged/);
      const row = await deps.prisma.backup.findUniqueOrThrow({ where: { id: second.id } });
      expect(row.verifyError).toMatch(/damaged/);
    } finally {
      writeFileSync(victim, good);
    }
  }, 180_000);
});
