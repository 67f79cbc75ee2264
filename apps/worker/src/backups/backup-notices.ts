// Live notices around the backup jobs: the Backups tab (and the branch views) re-read what they
// show when a backup, restore or import of one of the project's branches starts and when it ends
// (done or failed). The engine's handlers stay as they are; this wraps them.
import type { JobHandler, JobName } from "@slipway/queue";
import { findBackupPlace, findBranchForBackups } from "@slipway/db";
import { publishProjectNotice } from "@slipway/queue";
import type { WorkerDeps } from "../deps";

type Where = { projectId: string; branchId?: string };

/** The project (and branch) a backup job is about, from its payload's ids. */
async function whereOf(deps: Pick<WorkerDeps, "prisma">, payload: Record<string, unknown>): Promise<Where | null> {
  const id = (key: string) => (typeof payload[key] === "string" ? (payload[key] as string) : undefined);
  const backupId = id("backupId");
  const branchId = id("targetBranchId") ?? id("branchId");
  if (branchId) {
    const branch = await findBranchForBackups(deps.prisma, branchId);
    return branch ? { projectId: branch.projectId, branchId } : null;
  }
  if (backupId) {
    const backup = await findBackupPlace(deps.prisma, backupId);
    return backup ? { projectId: backup.projectId, branchId: backup.branchId } : null;
  }
  const projectId = id("projectId");
  return projectId ? { projectId } : null;
}

export function withBackupNotices<H extends Partial<{ [N in JobName]: JobHandler<N> }>>(
  deps: Pick<WorkerDeps, "prisma" | "redis" | "logger">,
  handlers: H,
): H {
  const notify = async (where: Where | null) => {
    if (!where) return;
    await publishProjectNotice(deps.redis, {
      projectId: where.projectId,
      ...(where.branchId ? { branchId: where.branchId } : {}),
      kind: where.branchId ? "branch" : "project",
    }).catch((error: unknown) => deps.logger.warn({ err: error }, "backup notice not published"));
  };
  const wrapped: Record<string, unknown> = {};
  for (const [name, handler] of Object.entries(handlers) as [
    string,
    (payload: Record<string, unknown>, context: unknown) => Promise<void>,
  ][]) {
    wrapped[name] = async (payload: Record<string, unknown>, context: unknown) => {
      const where = await whereOf(deps, payload).catch(() => null);
      await notify(where);
      try {
        await handler(payload, context);
      } finally {
        // A deleted backup (pruned) may be gone now; the place it was in was resolved before.
        await notify(where);
      }
    };
  }
  return wrapped as H;
}
