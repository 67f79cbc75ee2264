// Read model of the projects list's health column: per project, its production branch, the
// state of that branch's production build and its last backup.
import type { BuildResult, BuildState } from "@slipway/domain";
import type { Db } from "../client";

export interface ProjectHealth {
  projectId: string;
  /** The live production branch, or null when the project has none yet. */
  production: {
    branch: string;
    /** The branch's newest production build (the one its card shows), or null before the first. */
    build: { number: number; state: BuildState; result: BuildResult | null; createdAt: Date } | null;
    /** The newest finished backup of production, or null when none was taken yet. */
    lastBackupAt: Date | null;
    /** The newest backup attempt failed (it is newer than the last good one). */
    lastBackupFailed: boolean;
  } | null;
}

/** The health of each project, in the order of `projectIds` (three queries whatever their number). */
export async function listProjectHealth(db: Db, { projectIds }: { projectIds: readonly string[] }): Promise<ProjectHealth[]> {
  if (projectIds.length === 0) return [];
  const branches = await db.branch.findMany({
    where: { projectId: { in: [...projectIds] }, stage: "production", archivedAt: null },
    select: { id: true, projectId: true, name: true },
  });
  const branchIds = branches.map((b) => b.id);
  const [builds, backups] = await Promise.all([
    db.build.findMany({
      where: { branchId: { in: branchIds }, stage: "production" },
      orderBy: { createdAt: "desc" },
      distinct: ["branchId"],
      select: { branchId: true, number: true, state: true, result: true, createdAt: true },
    }),
    db.backup.findMany({
      where: { branchId: { in: branchIds }, state: { in: ["done", "failed"] } },
      orderBy: { createdAt: "desc" },
      distinct: ["branchId", "state"],
      select: { branchId: true, state: true, createdAt: true, finishedAt: true },
    }),
  ]);
  return projectIds.map((projectId) => {
    const branch = branches.find((b) => b.projectId === projectId);
    if (!branch) return { projectId, production: null };
    const build = builds.find((b) => b.branchId === branch.id) ?? null;
    const done = backups.find((b) => b.branchId === branch.id && b.state === "done");
    const failed = backups.find((b) => b.branchId === branch.id && b.state === "failed");
    return {
      projectId,
      production: {
        branch: branch.name,
        build: build ? { number: build.number, state: build.state, result: build.result, createdAt: build.createdAt } : null,
        lastBackupAt: done ? (done.finishedAt ?? done.createdAt) : null,
        lastBackupFailed: !!failed && (!done || failed.createdAt > done.createdAt),
      },
    };
  });
}
