// The automatic backup of kind "update" before a production update that changes a manifest
// version or a requirements.txt (PRODUCT.md §3).
//
// Interim implementation until the backups module's createBackup() is wired here: the backup is
// the pre-update snapshot itself (database `<db>_pre_<n>` on the managed server + its hard-linked
// filestore in the production data volume), recorded as a Backup row of kind "update" whose
// location says so. The snapshot is kept until the next successful update drops it; the row then
// gets its expiry (markSnapshotBackupsExpired).
import type { Build } from "@slipway/db";
import type { WorkerDeps } from "../deps";

export const SNAPSHOT_LOCATION_PREFIX = "snapshot:";

export async function recordUpdateBackup(options: { deps: WorkerDeps; build: Build; snapshot: string; volume: string; odooVersion: string }): Promise<{ taken: true; backupId: string; kind: "update"; location: string }> {
  const { deps, build } = options;
  const location = `${SNAPSHOT_LOCATION_PREFIX}${options.snapshot}`;
  const row = await deps.prisma.backup.create({
    data: {
      projectId: build.projectId,
      branchId: build.branchId,
      buildId: build.id,
      kind: "update",
      state: "done",
      location,
      odooVersion: options.odooVersion,
      finishedAt: new Date(),
      manifest: {
        type: "pre-update snapshot",
        database: options.snapshot,
        filestore: `${options.volume}:/filestore/${options.snapshot}`,
        note: "kept on the managed PostgreSQL server until the next successful production update",
      },
    },
  });
  return { taken: true, backupId: row.id, kind: "update", location };
}

/** Snapshot-backed backups whose snapshot was dropped expire now. */
export async function markSnapshotBackupsExpired(deps: WorkerDeps, snapshot: string): Promise<void> {
  await deps.prisma.backup.updateMany({ where: { location: `${SNAPSHOT_LOCATION_PREFIX}${snapshot}`, expiresAt: null }, data: { expiresAt: new Date() } });
}
