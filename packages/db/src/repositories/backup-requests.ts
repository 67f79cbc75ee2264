// What the web writes for a "Backup now" request: a pending manual backup row and its audit entry,
// admitted under the per-day quota. Two requests at the same moment cannot both be the last one the
// quota admits: the count and the insert run in one transaction holding a per-branch lock.
import type { Db } from "../client";
import { insertAuditEntry, type NewAuditEntry } from "./audit";
import { listRecentManualBackupTimes } from "./backup-views";

/**
 * Inserts a pending manual backup of the branch once `admit` accepted the creation times of the
 * branch's manual backups since `countSince` (it throws to refuse; nothing is written then), and
 * the audit entry `audit` makes of the new row's id. Returns the row's id and what `admit` returned.
 */
export async function insertAdmittedManualBackup<T>(
  db: Db,
  request: {
    projectId: string;
    branchId: string;
    createdAt: Date;
    expiresAt: Date;
    countSince: Date;
    admit: (recentTimes: Date[]) => T;
    audit: (backupId: string) => NewAuditEntry;
  },
): Promise<{ backupId: string; admitted: T }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`backup.manual:${request.branchId}`}, 0))`;
    const admitted = request.admit(await listRecentManualBackupTimes(tx, { branchId: request.branchId, since: request.countSince }));
    const row = await tx.backup.create({
      data: {
        projectId: request.projectId,
        branchId: request.branchId,
        kind: "manual",
        state: "pending",
        createdAt: request.createdAt,
        expiresAt: request.expiresAt,
      },
      select: { id: true },
    });
    await insertAuditEntry(tx, request.audit(row.id));
    return { backupId: row.id, admitted };
  });
}
