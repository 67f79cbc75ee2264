import { insertAdmittedManualBackup, listRecentManualBackupTimes, type AuthUser, type Db } from "@slipway/db";
import {
  assertManualBackupAllowed,
  defaultRetentionPolicy,
  MANUAL_BACKUP_QUOTA_LOOKBACK_MS,
  manualBackupsOnDay,
  MAX_MANUAL_BACKUPS_PER_DAY,
} from "@slipway/domain";
import { enqueue, type Queues } from "@slipway/queue";
import type { ProjectAccess } from "../access";
import { authorizeBranchBackups, requireDatabase, signedIn } from "./branch-backups";

const DAY = 86_400_000;

export interface BackupDeps {
  prisma: Db;
  queues: Queues;
  /** The backup settings' time zone: the "day" of the 5-per-day quota. */
  timeZone: string;
  notify: (notice: { projectId: string; branchId: string }) => Promise<void>;
}

/** Manual backups of the branch taken on `now`'s calendar day (time zone of the backup settings). */
export async function manualBackupsToday(prisma: Db, options: { branchId: string; timeZone: string; now: Date }): Promise<number> {
  const since = new Date(options.now.getTime() - MANUAL_BACKUP_QUOTA_LOOKBACK_MS);
  return manualBackupsOnDay(await listRecentManualBackupTimes(prisma, { branchId: options.branchId, since }), options);
}

/**
 * "Backup now" (docs/product/production-updates-and-backups.md): production and staging only, at most 5 per branch per calendar
 * day (domain assertManualBackupAllowed), kept 7 days. Records a pending row (the list shows it at
 * once), queues backup.create for the worker, audits. Two clicks at the same moment cannot both be
 * the 5th: the count and the insert run under a per-branch transaction lock.
 */
export async function requestManualBackup(
  deps: BackupDeps,
  options: { access: ProjectAccess; user: AuthUser | null; branchName: string; now?: Date },
): Promise<{ backupId: string; remainingToday: number }> {
  const branch = await authorizeBranchBackups({ prisma: deps.prisma, access: options.access, branchName: options.branchName });
  const user = signedIn(options.user);
  requireDatabase(branch, "back up");
  const now = options.now ?? new Date();
  const projectId = options.access.project.id;
  const { backupId, admitted: existing } = await insertAdmittedManualBackup(deps.prisma, {
    projectId,
    branchId: branch.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + defaultRetentionPolicy.manualDays * DAY),
    countSince: new Date(now.getTime() - MANUAL_BACKUP_QUOTA_LOOKBACK_MS),
    admit: (times) => {
      const existingToday = manualBackupsOnDay(times, { timeZone: deps.timeZone, now });
      assertManualBackupAllowed({ existingToday, stage: branch.stage });
      return existingToday;
    },
    audit: (id) => ({
      projectId,
      actorId: user.id,
      action: "backup.create",
      target: branch.name,
      details: { backupId: id, kind: "manual", stage: branch.stage },
    }),
  });
  await enqueue(deps.queues, "backup.create", { backupId });
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { backupId, remainingToday: MAX_MANUAL_BACKUPS_PER_DAY - existing - 1 };
}
