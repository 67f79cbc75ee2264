import { findLiveBranchByName, findProductionBranchName as findProductionBranchNameRow, type Db, type LiveBranch } from "@slipway/db";
import { DomainError } from "@slipway/domain";

export type BranchForChange = LiveBranch;

/** A non-archived branch of the project by name (route segments carry names, URL-encoded). */
export async function findBranchByName(prisma: Db, { projectId, name }: { projectId: string; name: string }): Promise<BranchForChange> {
  const branch = await findLiveBranchByName(prisma, { projectId, name });
  if (!branch) throw new DomainError("not_found", `There is no branch named "${name}" in this project.`);
  return branch;
}

/** The name of the project's production branch, or null while it has none. */
export function findProductionBranchName(prisma: Db, { projectId }: { projectId: string }): Promise<string | null> {
  return findProductionBranchNameRow(prisma, { projectId });
}
