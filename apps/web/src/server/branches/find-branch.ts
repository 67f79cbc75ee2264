import type { PrismaClient } from "@slipway/db";
import { DomainError, type Stage } from "@slipway/domain";

export interface BranchForChange {
  id: string;
  name: string;
  stage: Stage;
  pinned: boolean;
}

/** A non-archived branch of the project by name (route segments carry names, URL-encoded). */
export async function findBranchByName(
  prisma: PrismaClient,
  { projectId, name }: { projectId: string; name: string },
): Promise<BranchForChange> {
  const branch = await prisma.branch.findFirst({
    where: { projectId, name, archivedAt: null },
    select: { id: true, name: true, stage: true, pinned: true },
  });
  if (!branch) throw new DomainError("not_found", `There is no branch named "${name}" in this project.`);
  return branch;
}

/** The name of the project's production branch, or null while it has none. */
export async function findProductionBranchName(prisma: PrismaClient, { projectId }: { projectId: string }): Promise<string | null> {
  const row = await prisma.branch.findFirst({ where: { projectId, stage: "production", archivedAt: null }, select: { name: true } });
  return row?.name ?? null;
}
