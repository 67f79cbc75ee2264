// What the Backups tab calls (it needs only the database and the queues, no Docker): checks the
// rules at once so the user gets the refusal immediately (development branch, 6th manual backup of
// the day), then records a pending row the list can show and queues `backup.create` for it. The
// worker re-checks nothing of the quota when it runs the job: the row already counts for the day.
import { findBranchForBackups, insertPendingBackup, type BackupRecord, type Db } from "@slipway/db";
import { assertManualBackupAllowed, backupExpiresAt, DomainError } from "@slipway/domain";
import { enqueue, type Queues } from "@slipway/queue";
import { manualBackupsToday } from "./create-backup";

export async function requestManualBackup(options: {
  deps: { prisma: Db; queues: Queues; config: { backups: { timeZone: string } } };
  branchId: string;
  now?: Date;
}): Promise<BackupRecord> {
  const { deps } = options;
  const now = options.now ?? new Date();
  const branch = await findBranchForBackups(deps.prisma, options.branchId);
  if (!branch) throw new DomainError("not_found", `branch ${options.branchId} does not exist`);
  const existingToday = await manualBackupsToday({ deps, branchId: branch.id, now });
  assertManualBackupAllowed({ existingToday, stage: branch.stage });
  const row = await insertPendingBackup(deps.prisma, {
    projectId: branch.projectId,
    branchId: branch.id,
    kind: "manual",
    createdAt: now,
    expiresAt: backupExpiresAt("manual", now),
  });
  await enqueue(deps.queues, "backup.create", { backupId: row.id });
  return row;
}
