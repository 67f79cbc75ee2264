import { listBranchBackups, type BackupListRow, type Db } from "@slipway/db";
import type { Queues } from "@slipway/queue";
import type { ProjectAccess } from "../access";
import { branchOperations, type BranchOperation } from "./backup-activity";
import { authorizeBranchBackups } from "./branch-backups";
import { manualBackupsToday } from "./manual-backup";

export interface BranchBackups {
  branch: { name: string; stage: "production" | "staging" | "development"; hasDatabase: boolean };
  backups: BackupListRow[];
  operations: BranchOperation[];
  manualToday: number;
}

/** A branch's backups with its restores/imports in flight (the tab and GET /backups). */
export async function listBackups(
  deps: { prisma: Db; queues: Queues; timeZone: string },
  options: { access: ProjectAccess; branchName: string; now?: Date },
): Promise<BranchBackups> {
  const branch = await authorizeBranchBackups({ prisma: deps.prisma, access: options.access, branchName: options.branchName });
  const [backups, operations, manualToday] = await Promise.all([
    listBranchBackups(deps.prisma, { branchId: branch.id }),
    branchOperations({ queues: deps.queues, branchId: branch.id }),
    manualBackupsToday(deps.prisma, { branchId: branch.id, timeZone: deps.timeZone, now: options.now ?? new Date() }),
  ]);
  return { branch: { name: branch.name, stage: branch.stage, hasDatabase: branch.hasDatabase }, backups, operations, manualToday };
}
