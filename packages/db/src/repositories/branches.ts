import type { Branch, Prisma } from "../generated/prisma/client";

type Tx = Prisma.TransactionClient;

/** Records a pushed revision: a new branch appears in development; an archived one comes back. */
export async function recordBranchHead(
  tx: Tx,
  { projectId, name, revision }: { projectId: string; name: string; revision: string },
): Promise<{ branch: Branch; created: boolean }> {
  const existing = await tx.branch.findUnique({ where: { projectId_name: { projectId, name } } });
  if (existing) {
    const branch = await tx.branch.update({
      where: { id: existing.id },
      data: { headRevision: revision, archivedAt: null, lastActivityAt: new Date() },
    });
    return { branch, created: false };
  }
  const branch = await tx.branch.create({ data: { projectId, name, headRevision: revision, stage: "development" } });
  return { branch, created: true };
}

/** A deleted branch is archived with its builds (kept for history, garbage-collected later). */
export async function archiveBranch(tx: Tx, { projectId, name }: { projectId: string; name: string }): Promise<Branch | null> {
  const existing = await tx.branch.findUnique({ where: { projectId_name: { projectId, name } } });
  if (!existing || existing.archivedAt) return existing;
  return tx.branch.update({
    where: { id: existing.id },
    data: { archivedAt: new Date(), productionSlot: existing.stage === "production" ? null : existing.productionSlot },
  });
}
