// A backup of a branch's current database: a consistent custom-format dump (pg_dump in a one-off
// container, on a snapshot exported by a transaction that also counts every table's rows), the
// filestore as content-addressed objects (stored once across backups) with a per-backup index,
// and a manifest. Streams only. The Backup row goes pending → running → done | failed.
import { PassThrough, Readable } from "node:stream";
import { type Backup, Prisma } from "@slipway/db";
import { assertBackupAllowed, assertManualBackupAllowed, calendarKey, defaultRetentionPolicy, DomainError, type BackupKind } from "@slipway/domain";
import { withClient } from "../odoo/odoo-databases";
import type { BackupStore } from "./store/backup-store";
import { backupLocation, backupStoreOf, branchDatabase, toolsContextOf, type BackupDeps } from "./engine/context";
import { listFilestore, readFilestore } from "./engine/filestore-volume";
import { readFilestoreIndex, type FilestoreIndexEntry } from "./engine/load-backup";
import { readDatabaseFacts, type BackupManifest } from "./engine/manifest";
import { pgDumpCustom } from "./engine/pg-tools";

export interface CreateBackupOptions extends BackupDeps {
  branchId: string;
  kind: BackupKind;
  /** A pending row made by requestBackup (manual backups from the UI); otherwise one is created. */
  backupId?: string;
  buildId?: string;
  /** The clock (tests simulate days); default now. */
  now?: Date;
  signal?: AbortSignal;
}

const DAY = 86_400_000;

/** Expiry shown to users; retention (pruneBackups) is what actually deletes. */
export function expiryOf(kind: BackupKind, takenAt: Date): Date | null {
  const days = { daily: null, manual: defaultRetentionPolicy.manualDays, update: defaultRetentionPolicy.updateDays, safety: defaultRetentionPolicy.safetyDays, import: defaultRetentionPolicy.importDays }[kind];
  return days === null ? null : new Date(takenAt.getTime() + days * DAY);
}

/** Manual backups of the branch taken on `now`'s calendar day (time zone of the settings). */
export async function manualBackupsToday(options: { deps: { prisma: BackupDeps["deps"]["prisma"]; config: { backups: { timeZone: string } } }; branchId: string; now: Date }): Promise<number> {
  const tz = options.deps.config.backups.timeZone;
  const today = calendarKey(options.now, "day", tz);
  const recent = await options.deps.prisma.backup.findMany({
    where: { branchId: options.branchId, kind: "manual", state: { not: "failed" }, createdAt: { gte: new Date(options.now.getTime() - 2 * DAY) } },
    select: { createdAt: true },
  });
  return recent.filter((b) => calendarKey(b.createdAt, "day", tz) === today).length;
}

/** `ab/ab12…` (40 hex): Odoo's content-named filestore files. */
const ODOO_CONTENT_NAME = /^[0-9a-f]{2}\/[0-9a-f]{40}$/;

/** The filestore index of the branch's latest completed backup in the store (path → entry). */
async function previousIndex(options: { deps: BackupDeps["deps"]; store: BackupStore; branchId: string; exclude: string }): Promise<Map<string, FilestoreIndexEntry>> {
  const latest = await options.deps.prisma.backup.findFirst({
    where: { branchId: options.branchId, state: "done", id: { not: options.exclude }, location: { startsWith: "backups/" } },
    orderBy: { createdAt: "desc" },
    select: { manifest: true },
  });
  const map = new Map<string, FilestoreIndexEntry>();
  if (!latest?.manifest) return map;
  try {
    for await (const entry of readFilestoreIndex(options.store, latest.manifest as unknown as BackupManifest)) map.set(entry.p, entry);
  } catch {
    map.clear(); // an unreadable previous index only means reading every file
  }
  return map;
}

export async function createBackup(options: CreateBackupOptions): Promise<Backup> {
  const { deps } = options;
  const store = backupStoreOf(options);
  const now = options.now ?? new Date();
  const target = await branchDatabase(deps, options.branchId);
  assertBackupAllowed({ stage: target.branch.stage, kind: options.kind });

  let row: Backup;
  if (options.backupId) {
    const existing = await deps.prisma.backup.findUnique({ where: { id: options.backupId } });
    if (!existing || existing.branchId !== options.branchId) throw new DomainError("not_found", `backup ${options.backupId} does not exist`);
    if (existing.state === "done") return existing;
    row = existing;
  } else {
    if (options.kind === "manual") assertManualBackupAllowed({ existingToday: await manualBackupsToday({ ...options, now }), stage: target.branch.stage });
    row = await deps.prisma.backup.create({
      data: { projectId: target.project.id, branchId: target.branch.id, buildId: options.buildId ?? target.buildId, kind: options.kind, state: "pending", createdAt: now, expiresAt: expiryOf(options.kind, now) },
    });
  }
  const location = backupLocation(row.id);
  await deps.prisma.backup.update({ where: { id: row.id }, data: { state: "running", location, error: null } });
  const ctx = await toolsContextOf(deps, { project: target.project.slug, branch: target.branch.id }, options.signal);

  try {
    // 1. Dump and row counts from one snapshot: the transaction exporting it stays open meanwhile.
    const dumpKey = `${location}/dump.pgc`;
    const { facts, dump } = await withClient({ pg: ctx.pg, database: target.database }, async (client) => {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
      const facts = await readDatabaseFacts(client);
      const out = new PassThrough({ highWaterMark: 1 << 20 });
      const stored = store.put(dumpKey, out);
      await pgDumpCustom({ ctx, database: target.database, out, snapshot }).catch((e: unknown) => {
        out.destroy();
        throw e;
      });
      const dump = await stored;
      await client.query("COMMIT");
      return { facts, dump };
    });

    // 2. Filestore: each file once in the store, the backup keeps an index (JSON lines). Odoo
    //    names filestore files by the sha1 of their content: a file of the previous backup with the
    //    same name and size is the same file, so it is listed again without being read.
    const indexKey = `${location}/filestore.jsonl`;
    const index = new PassThrough();
    const indexStored = store.put(indexKey, index);
    const counts = { files: 0, bytes: 0, newFiles: 0, newBytes: 0 };
    const write = async (path: string, sha256: string, size: number) => {
      counts.files++;
      counts.bytes += size;
      if (!index.write(JSON.stringify({ p: path, h: sha256, s: size }) + "\n")) await new Promise((r) => index.once("drain", r));
    };
    try {
      const present = await listFilestore({ ctx, volume: target.volume, dir: target.database });
      const previous = await previousIndex({ deps, store, branchId: target.branch.id, exclude: row.id });
      const toRead: string[] = [];
      for (const [path, size] of present) {
        const known = previous.get(path);
        if (known && known.s === size && ODOO_CONTENT_NAME.test(path) && (await store.touchObject(known.h))) await write(path, known.h, size);
        else toRead.push(path);
      }
      await readFilestore({
        ctx,
        volume: target.volume,
        dir: target.database,
        only: toRead,
        onFile: async (entry, body) => {
          const object = await store.putObject(body);
          if (object.size !== entry.size) throw new DomainError("upstream_failed", `filestore file ${entry.path} changed while it was read`);
          if (object.created) {
            counts.newFiles++;
            counts.newBytes += object.size;
          }
          await write(entry.path, object.sha256, object.size);
        },
      });
    } catch (e) {
      index.destroy();
      throw e;
    }
    index.end();
    const indexBlob = await indexStored;

    // 3. Manifest; its sha256 is the backup's checksum.
    const manifest: BackupManifest = {
      format: "slipway-backup/1",
      backupId: row.id,
      kind: options.kind,
      createdAt: row.createdAt.toISOString(),
      database: target.database,
      odoo: { version: facts.odooVersion, modules: facts.modules },
      postgres: facts.postgres,
      tables: facts.tables,
      dump: { key: dumpKey, size: dump.size, sha256: dump.sha256 },
      filestore: { indexKey, indexSha256: indexBlob.sha256, ...counts },
    };
    const manifestText = JSON.stringify(manifest, null, 1);
    const stored = await store.put(`${location}/manifest.json`, Readable.from([Buffer.from(manifestText)]));
    return await deps.prisma.backup.update({
      where: { id: row.id },
      data: {
        state: "done",
        sizeBytes: BigInt(dump.size + counts.bytes),
        checksum: `sha256:${stored.sha256}`,
        odooVersion: facts.odooVersion,
        manifest: JSON.parse(manifestText) as Prisma.InputJsonValue,
        finishedAt: new Date(),
      },
    });
  } catch (error) {
    await store.delete(location).catch(() => undefined);
    await deps.prisma.backup.update({ where: { id: row.id }, data: { state: "failed", error: (error as Error).message.slice(0, 2000), finishedAt: new Date() } });
    throw error;
  }
}
