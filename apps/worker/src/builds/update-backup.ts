// The automatic backup of kind "update" before a production update that changes a manifest
// version or a requirements.txt (docs/product/production-updates-and-backups.md): a full backup (dump + filestore + manifest) by the
// backups module, taken from the live production database before the maintenance window opens.
// It is linked to the build that triggers it, so the build page can show it.
import { findBuildOwnership } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { createBackup } from "../backups/create-backup";
import type { WorkerDeps } from "../deps";

export async function takeUpdateBackup(options: {
  deps: WorkerDeps;
  build: { id: string };
  previousBuildId: string | null;
}): Promise<{ taken: true; backupId: string; location: string | null; sizeBytes: string | null }> {
  const { deps, build } = options;
  const previous = options.previousBuildId ? await findBuildOwnership(deps.prisma, options.previousBuildId) : null;
  if (!previous)
    throw new DomainError("invalid_state", "no production build is serving: there is no database to back up before the update");
  const row = await createBackup({ deps, branchId: previous.branchId, kind: "update", buildId: build.id });
  if (row.state !== "done") throw new DomainError("upstream_failed", `the update backup failed: ${row.error ?? row.state}`);
  return { taken: true, backupId: row.id, location: row.location, sizeBytes: row.sizeBytes === null ? null : String(row.sizeBytes) };
}
