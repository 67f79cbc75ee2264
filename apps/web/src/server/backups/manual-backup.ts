import { listRecentManualBackupTimes, type AuthUser, type Prisma, type PrismaClient } from "@slipway/db";
import { assertManualBackupAllowed, calendarKey, defaultRetentionPolicy, MAX_MANUAL_BACKUPS_PER_DAY } from "@slipway/domain";
import { enqueue, type Queues } from "@slipway/queue";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { authorizeBranchBackups, requireDatabase, signedIn } from "./branch-backups";

const DAY = 86_400_000;

export interface BackupDeps {
  prisma: PrismaClient;
  queues: Queues;
  /** The backup settings' time zone: the "day" of the 5-per-day quota. */
  timeZone: string;
  notify: (notice: { projectId: string; branchId: string }) => Promise<void>;
}

/** Manual backups of the branch taken on `now`'s calendar day (time zone of the backup settings). */
export async function manualBackupsToday(
  prisma: PrismaClient | Prisma.TransactionClient,
  options: { branchId: string; timeZone: string; now: Date },
): Promise<number> {
  const today = calendarKey(options.now, "day", options.timeZone);
  const times = await listRecentManualBackupTimes(prisma, { branchId: options.branchId, since: new Date(options.now.getTime() - 2 * DAY) });
  return times.filter((t) => calendarKey(t, "day", options.timeZone) === today).length;
}

/**
 * "Backup now" (PRODUCT.md §6): production and staging only, at most 5 per branch per calendar
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
  const { row, existing } = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`backup.manual:${branch.id}`}, 0))`;
    const existing = await manualBackupsToday(tx, { branchId: branch.id, timeZone: deps.timeZone, now });
    assertManualBackupAllowed({ existingToday: existing, stage: branch.stage });
    const row = await tx.backup.create({
      data: {
        projectId,
        branchId: branch.id,
        kind: "manual",
        state: "pending",
        createdAt: now,
        expiresAt: new Date(now.getTime() + defaultRetentionPolicy.manualDays * DAY),
      },
      select: { id: true },
    });
    await recordAudit({
      prisma: tx,
      projectId,
      actorId: user.id,
      action: "backup.create",
      target: branch.name,
      details: { backupId: row.id, kind: "manual", stage: branch.stage },
    });
    return { row, existing };
  });
  await enqueue(deps.queues, "backup.create", { backupId: row.id });
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { backupId: row.id, remainingToday: MAX_MANUAL_BACKUPS_PER_DAY - existing - 1 };
}
