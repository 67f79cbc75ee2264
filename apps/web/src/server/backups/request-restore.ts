import { findProjectBackup, type AuthUser, type ProjectBackup } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { enqueue } from "@slipway/queue";
import { authorizeTool, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { hasPendingOperation } from "./backup-activity";
import { authorizeBranchBackups, requireDatabase, signedIn } from "./branch-backups";
import type { BackupDeps } from "./manual-backup";

/** A backup of the project the viewer may see (the "backups" cell of its branch's stage). */
export async function authorizeBackup(
  deps: Pick<BackupDeps, "prisma">,
  options: { access: ProjectAccess; backupId: string },
): Promise<ProjectBackup> {
  const backup = await findProjectBackup(deps.prisma, { projectId: options.access.project.id, backupId: options.backupId });
  if (!backup) throw new DomainError("not_found", "This backup does not exist.");
  authorizeTool({ access: options.access, stage: backup.branch.stage, tool: "backups" });
  return backup;
}

/**
 * Restore of a backup into the production branch or a staging branch of the same project
 * (docs/product/production-updates-and-backups.md), after the user confirmed the dialog naming the branch overwritten. The viewer
 * needs the backups cell of BOTH stages (a tester cannot restore production data, nor restore into
 * production). The worker takes a safety backup first, neutralizes staging targets and rolls back
 * on failure; the tab follows the job.
 */
export async function requestRestore(
  deps: BackupDeps,
  options: { access: ProjectAccess; user: AuthUser | null; backupId: string; targetBranch: string; confirm: boolean },
): Promise<{ targetBranch: string }> {
  const backup = await authorizeBackup(deps, options);
  const target = await authorizeBranchBackups({ prisma: deps.prisma, access: options.access, branchName: options.targetBranch });
  const user = signedIn(options.user);
  if (target.stage === "development")
    throw new DomainError(
      "invalid_input",
      "Backups are restored into the production branch or a staging branch, not a development branch.",
    );
  if (backup.state !== "done")
    throw new DomainError("invalid_state", `This backup is ${backup.state}: only a completed backup can be restored.`);
  requireDatabase(target, "restore into");
  if (options.confirm !== true)
    throw new DomainError("invalid_input", `Restoring overwrites the database and filestore of branch ${target.name}: confirm it first.`);
  if (await hasPendingOperation({ queues: deps.queues, branchId: target.id })) {
    throw new DomainError("conflict", `A restore or import of ${target.name} is already queued or running; wait for it to finish.`);
  }
  const projectId = options.access.project.id;
  await recordAudit({
    prisma: deps.prisma,
    projectId,
    actorId: user.id,
    action: "backup.restore",
    target: target.name,
    details: { backupId: backup.id, from: backup.branch.name, takenAt: backup.createdAt.toISOString(), stage: target.stage },
  });
  await enqueue(deps.queues, "backup.restore", { backupId: backup.id, targetBranchId: target.id });
  await deps.notify({ projectId, branchId: target.id }).catch(() => undefined);
  return { targetBranch: target.name };
}
