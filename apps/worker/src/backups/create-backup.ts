// A backup of a branch's current database: a consistent custom-format dump (pg_dump in a one-off
// container, on a snapshot exported by a transaction), stored as deduplicated compressed chunks
// with every table's row count read from the dump as it passes (ADR 0008), the filestore as
// content-addressed objects (stored once across backups) with a per-backup index, and a manifest.
// Streams only. The Backup row goes pending → running → done | failed.
import { PassThrough, Readable } from "node:stream";
import {
  findBackup,
  insertPendingBackup,
  listRecentManualBackupTimes,
  markBackupDone,
  markBackupFailed,
  markBackupRunning,
  type BackupRecord,
  type Db,
} from "@slipway/db";
import {
  assertBackupAllowed,
  assertManualBackupAllowed,
  backupExpiresAt,
  DomainError,
  MANUAL_BACKUP_QUOTA_LOOKBACK_MS,
  manualBackupsOnDay,
  type BackupKind,
} from "@slipway/domain";
import { withClient } from "../postgres";
import { backupLocation, backupStoreOf, branchDatabase, toolsContextOf, type BackupDeps } from "./engine/context";
import { backupFilestore } from "./engine/backup-filestore";
import { writeChunked } from "./engine/chunked-blob";
import { DumpRowCounter } from "./engine/dump-rows";
import { countTableRows, listPublicTables, readDatabaseFacts, type BackupManifest } from "./engine/manifest";
import { pgDumpCustom } from "../postgres";

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

/** Manual backups of the branch taken on `now`'s calendar day (time zone of the settings). */
export async function manualBackupsToday(options: {
  deps: { prisma: Db; config: { backups: { timeZone: string } } };
  branchId: string;
  now: Date;
}): Promise<number> {
  const recent = await listRecentManualBackupTimes(options.deps.prisma, {
    branchId: options.branchId,
    since: new Date(options.now.getTime() - MANUAL_BACKUP_QUOTA_LOOKBACK_MS),
  });
  return manualBackupsOnDay(recent, { now: options.now, timeZone: options.deps.config.backups.timeZone });
}

export async function createBackup(options: CreateBackupOptions): Promise<BackupRecord> {
  const { deps } = options;
  const store = backupStoreOf(options);
  const now = options.now ?? new Date();
  const target = await branchDatabase(deps, options.branchId);
  assertBackupAllowed({ stage: target.branch.stage, kind: options.kind });

  let row: BackupRecord;
  if (options.backupId) {
    const existing = await findBackup(deps.prisma, options.backupId);
    if (!existing || existing.branchId !== options.branchId)
      throw new DomainError("not_found", `backup ${options.backupId} does not exist`);
    if (existing.state === "done") return existing;
    row = existing;
  } else {
    if (options.kind === "manual")
      assertManualBackupAllowed({ existingToday: await manualBackupsToday({ ...options, now }), stage: target.branch.stage });
    row = await insertPendingBackup(deps.prisma, {
      projectId: target.project.id,
      branchId: target.branch.id,
      buildId: options.buildId ?? target.buildId,
      kind: options.kind,
      createdAt: now,
      expiresAt: backupExpiresAt(options.kind, now),
    });
  }
  const location = backupLocation(row.id);
  await markBackupRunning(deps.prisma, { backupId: row.id, location });
  // The server holding the database: a cloned staging database's own cluster (ADR 0009) or the managed one.
  const ctx = await toolsContextOf(deps, { project: target.project.slug, branch: target.branch.id }, options.signal, target.database);

  try {
    // 1. Dump from one snapshot (the transaction exporting it stays open meanwhile), uncompressed,
    //    stored as deduplicated chunks; row counts read from the dump's own data as it streams by.
    const started = Date.now();
    const dumpKey = `${location}/dump.pgc`;
    const dumpPhase = withClient({ pg: ctx.pg, database: target.database }, async (client) => {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
      const facts = await readDatabaseFacts(client, { countRows: false });
      const tableNames = await listPublicTables(client);
      const out = new PassThrough({ highWaterMark: 1 << 20 });
      // Fed synchronously as the dump passes; a layout it does not know only means counting with SQL below.
      const counter = new DumpRowCounter();
      let countError: Error | null = null;
      const stored = writeChunked({
        store,
        listKey: `${location}/dump.chunks`,
        body: out,
        onData: (piece) => {
          if (countError) return;
          try {
            counter.push(piece);
          } catch (error) {
            countError = error as Error;
          }
        },
      });
      // A store failure must not leave pg_dump blocked on a full pipe.
      stored.catch(() => out.destroy());
      await pgDumpCustom({ ctx, database: target.database, out, snapshot, compress: 0 }).catch((e: unknown) => {
        out.destroy();
        throw e;
      });
      const dump = await stored;
      let tables: Record<string, number>;
      let rowCounts: "dump" | "sql";
      try {
        if (countError) throw countError;
        const counted = counter.end();
        tables = Object.fromEntries(tableNames.map((name) => [name, counted.get(`public.${name}`) ?? 0]));
        rowCounts = "dump";
      } catch (error) {
        deps.logger.warn({ err: (error as Error).message }, "row counts not readable from the dump; counting with SQL");
        tables = await countTableRows(client); // same snapshot: the transaction is still open
        rowCounts = "sql";
      }
      await client.query("COMMIT");
      return { facts: { ...facts, tables }, rowCounts, dump, ms: Date.now() - started };
    });
    // 2. Filestore at the same time (another container): each file once in the store.
    const filestorePhase = backupFilestore({
      deps,
      store,
      ctx,
      branchId: target.branch.id,
      volume: target.volume,
      database: target.database,
      location,
      backupId: row.id,
    }).then((r) => ({ ...r, ms: Date.now() - started }));
    // Both settle before anything else happens: a failure must not leave the other writing.
    const [dumped, files] = await Promise.allSettled([dumpPhase, filestorePhase]);
    if (dumped.status === "rejected") throw dumped.reason;
    if (files.status === "rejected") throw files.reason;
    const { facts, dump } = dumped.value;
    const { counts } = files.value;

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
      dump: {
        key: dumpKey,
        size: dump.size,
        sha256: dump.sha256,
        chunks: {
          key: dump.listKey,
          sha256: dump.listSha256,
          count: dump.chunks,
          newCount: dump.newChunks,
          newStoredBytes: dump.newStoredBytes,
        },
      },
      filestore: { indexKey: files.value.indexKey, indexSha256: files.value.indexSha256, ...counts },
      durations: { dumpMs: dumped.value.ms, filestoreMs: files.value.ms },
      rowCounts: dumped.value.rowCounts,
    };
    const manifestText = JSON.stringify(manifest, null, 1);
    const stored = await store.put(`${location}/manifest.json`, Readable.from([Buffer.from(manifestText)]));
    return await markBackupDone(deps.prisma, {
      backupId: row.id,
      sizeBytes: BigInt(dump.size + counts.bytes),
      checksum: `sha256:${stored.sha256}`,
      odooVersion: facts.odooVersion,
      manifest: JSON.parse(manifestText) as unknown,
      finishedAt: new Date(),
    });
  } catch (error) {
    await store.delete(location).catch(() => undefined);
    await markBackupFailed(deps.prisma, { backupId: row.id, error: (error as Error).message.slice(0, 2000), finishedAt: new Date() });
    throw error;
  }
}
