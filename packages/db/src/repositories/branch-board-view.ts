// Read model of the Branches board (the project page's default tab): which branches are pinned,
// and whether the project has any branch yet (the webhook setup panel opens while it has none).
import type { Db } from "../client";

/** Ids of the project's pinned, non-archived branches. */
export async function listPinnedBranchIds(db: Db, { projectId }: { projectId: string }): Promise<string[]> {
  const rows = await db.branch.findMany({ where: { projectId, archivedAt: null, pinned: true }, select: { id: true } });
  return rows.map((r) => r.id);
}

/** Whether the project has at least one non-archived branch. */
export async function hasLiveBranches(db: Db, { projectId }: { projectId: string }): Promise<boolean> {
  return (await db.branch.count({ where: { projectId, archivedAt: null } })) > 0;
}
