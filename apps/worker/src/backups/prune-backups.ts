// Retention (docs/product/production-updates-and-backups.md): per branch, selectBackupsToKeep (7 daily / 4 weekly / 3 monthly in
// the configured time zone, age limits for the other kinds) decides; dropped backups lose their
// files, then their rows. Failed backups older than a day go too. Then the object sweep deletes
// filestore objects no remaining backup lists (objects are shared by every backup in the store).
// All backup jobs run on the "backups" queue with concurrency 1, so no backup writes an index
// while the sweep runs; objects used in the last `objectGraceMs` are kept anyway.
import { deleteBackupRow, listLiveBackupManifests, listProjectBackupsForPruning } from "@slipway/db";
import { selectBackupsToKeep, type RetentionPolicy } from "@slipway/domain";
import { backupStoreOf, isStoreLocation, type BackupDeps } from "./engine/context";
import { readFilestoreIndex } from "./engine/load-backup";
import { storedManifest } from "./engine/manifest";
import type { BackupStore } from "./store/backup-store";

export interface PruneResult {
  deletedBackups: string[];
  deletedObjects: number;
  freedObjectBytes: number;
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

/** Deletes objects that no backup of the store lists any more (mark and sweep over every project). */
export async function sweepObjects(
  options: BackupDeps & { store: BackupStore; graceMs: number },
): Promise<{ deletedObjects: number; freedObjectBytes: number }> {
  const { deps, store } = options;
  const live = new Set<string>();
  const rows = await listLiveBackupManifests(deps.prisma);
  for (const row of rows) {
    if (!isStoreLocation(row.location)) continue;
    if (row.state !== "done" || !row.manifest) {
      // A backup in progress may be listing objects right now: sweep next time (unless it is a day-old crash leftover).
      if (Date.now() - row.createdAt.getTime() < DAY) return { deletedObjects: 0, freedObjectBytes: 0 };
      continue;
    }
    for await (const entry of readFilestoreIndex(store, storedManifest(row.manifest))) live.add(entry.h);
  }
  let deletedObjects = 0;
  let freedObjectBytes = 0;
  for await (const object of store.listObjects()) {
    // The grace is wall-clock time (file times are), whatever clock retention was given.
    if (live.has(object.sha256) || Date.now() - object.usedAt.getTime() < options.graceMs) continue;
    await store.deleteObject(object.sha256);
    deletedObjects++;
    freedObjectBytes += object.size;
  }
  return { deletedObjects, freedObjectBytes };
}
