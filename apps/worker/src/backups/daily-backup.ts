// The `backup.daily` job: the automatic backup of a project's production branch, then retention.
// A project without a running production build has nothing to back up: skipped, not failed (the
// scheduler fires every day whatever the project's state).
import { findProductionBranchId, type BackupRecord } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import { createBackup } from "./create-backup";
import type { BackupDeps } from "./engine/context";
import { pruneBackups, type PruneResult } from "./prune-backups";

export type DailyBackupResult = { backup: BackupRecord; pruned: PruneResult } | { skipped: string };

export async function dailyBackup(
  options: BackupDeps & { projectId: string; now?: Date; signal?: AbortSignal },
): Promise<DailyBackupResult> {
  const { deps } = options;
  const productionId = await findProductionBranchId(deps.prisma, options.projectId);
  if (!productionId) return { skipped: "the project has no production branch" };
  let backup: BackupRecord;
  try {
    backup = await createBackup({ ...options, branchId: productionId, kind: "daily" });
  } catch (error) {
    if (isDomainError(error) && error.code === "invalid_state" && /no running build/.test(error.message)) return { skipped: error.message };
    throw error;
  }
  const pruned = await pruneBackups({ ...options, projectId: options.projectId });
  return { backup, pruned };
}
