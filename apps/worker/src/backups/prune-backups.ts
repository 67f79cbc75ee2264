// Retention (docs/product/production-updates-and-backups.md): per branch, selectBackupsToKeep (7 daily / 4 weekly / 3 monthly in
// the configured time zone, age limits for the other kinds) decides; dropped backups lose their
// files, then their rows. Failed backups older than a day go too. Then the sweep deletes filestore
// objects and dump chunks no remaining backup lists (both are shared by every backup in the store).
// All backup jobs run on the "backups" queue with concurrency 1, so no backup writes an index
// while the sweep runs; objects used in the last `objectGraceMs` are kept anyway.
import { deleteBackupRow, listLiveBackupManifests, listProjectBackupsForPruning } from "@slipway/db";
import { selectBackupsToKeep, type RetentionPolicy } from "@slipway/domain";
import { backupStoreOf, isStoreLocation, type BackupDeps } from "./engine/context";
import { readChunkList } from "./engine/chunked-blob";
import { readFilestoreIndex } from "./engine/load-backup";
import { storedManifest } from "./engine/manifest";
import type { BackupStore } from "./store/backup-store";

export interface PruneResult {
  deletedBackups: string[];
  deletedObjects: number;
  freedObjectBytes: number;
  /** Dump chunks no retained backup lists any more (ADR 0008), and their stored bytes. */
  deletedChunks: number;
  freedChunkBytes: number;
}

const DAY = 86_400_000;

export async function pruneBackups(
  options: BackupDeps & { projectId: string; now?: Date; policy?: Partial<RetentionPolicy>; objectGraceMs?: number },
): Promise<PruneResult> {
  const { deps } = options;
  const store = backupStoreOf(options);
  const now = options.now ?? new Date();
  const rows = await listProjectBackupsForPruning(deps.prisma, options.projectId);
  const toDelete = rows.filter((r) => r.state === "failed" && now.getTime() - r.createdAt.getTime() > DAY).map((r) => r.id);
  const byBranch = new Map<string, typeof rows>();
  for (const r of rows.filter((r) => r.state === "done")) byBranch.set(r.branchId, [...(byBranch.get(r.branchId) ?? []), r]);
  for (const backups of byBranch.values()) {
    const decision = selectBackupsToKeep({
      backups: backups.map((b) => ({ id: b.id, takenAt: b.createdAt, kind: b.kind })),
      now,
      policy: options.policy,
      timeZone: deps.config.backups.timeZone,
    });
    toDelete.push(...decision.drop);
  }
  const locations = new Map(rows.map((r) => [r.id, r.location]));
  for (const id of toDelete) {
    const location = locations.get(id) ?? null;
    // Files first: a row without files is visible as broken, files without a row are invisible.
    if (isStoreLocation(location)) await store.delete(location);
    await deleteBackupRow(deps.prisma, id);
  }
  const swept = await sweepObjects({ ...options, store, graceMs: options.objectGraceMs ?? 3600_000 });
  if (toDelete.length > 0) deps.logger.info({ projectId: options.projectId, deleted: toDelete.length, ...swept }, "pruned backups");
  return { deletedBackups: toDelete, ...swept };
}

/**
 * Mark and sweep over every project: deletes filestore objects and dump chunks that no backup of
 * the store lists any more. Crash-safe and safe beside a backup being written: nothing is swept
 * while a backup younger than a day is pending or running (it may be listing objects and chunks
 * right now; a crashed one is left alone for a day, then ignored); objects and chunks created or
 * reused (touched) within `graceMs` are kept whatever the lists say; a backup's files are written
 * before its row says done, and deleted before its row goes.
 */
export async function sweepObjects(
  options: BackupDeps & { store: BackupStore; graceMs: number },
): Promise<{ deletedObjects: number; freedObjectBytes: number; deletedChunks: number; freedChunkBytes: number }> {
  const { deps, store } = options;
  const live = new Set<string>();
  const liveChunks = new Set<string>();
  const nothing = { deletedObjects: 0, freedObjectBytes: 0, deletedChunks: 0, freedChunkBytes: 0 };
  const rows = await listLiveBackupManifests(deps.prisma);
  for (const row of rows) {
    if (!isStoreLocation(row.location)) continue;
    if (row.state !== "done" || !row.manifest) {
      // A backup in progress may be listing objects right now: sweep next time (unless it is a day-old crash leftover).
      if (Date.now() - row.createdAt.getTime() < DAY) return nothing;
      continue;
    }
    const manifest = storedManifest(row.manifest);
    for await (const entry of readFilestoreIndex(store, manifest)) live.add(entry.h);
    if (manifest.dump.chunks) for await (const chunk of readChunkList(store, manifest.dump.chunks.key)) liveChunks.add(chunk.sha256);
  }
  const result = { ...nothing };
  for await (const object of store.listObjects()) {
    // The grace is wall-clock time (file times are), whatever clock retention was given.
    if (live.has(object.sha256) || Date.now() - object.usedAt.getTime() < options.graceMs) continue;
    await store.deleteObject(object.sha256);
    result.deletedObjects++;
    result.freedObjectBytes += object.size;
  }
  for await (const chunk of store.listChunks()) {
    if (liveChunks.has(chunk.sha256) || Date.now() - chunk.usedAt.getTime() < options.graceMs) continue;
    await store.deleteChunk(chunk.sha256);
    result.deletedChunks++;
    result.freedChunkBytes += chunk.size;
  }
  return result;
}
