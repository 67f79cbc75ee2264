import type { PushBehavior, Stage } from "@slipway/domain";
import type { Db } from "../client";
import type { Branch, Prisma } from "../generated/prisma/client";

type Tx = Prisma.TransactionClient;

/** Records a pushed revision: a new branch appears in development; an archived one comes back. */
export async function recordBranchHead(
  tx: Tx,
  { projectId, name, revision }: { projectId: string; name: string; revision: string },
): Promise<{ branch: Branch; created: boolean }> {
  const existing = await tx.branch.findUnique({ where: { projectId_name: { projectId, name } } });
  if (existing) {
    // A branch deleted from Slipway comes back as a new development branch (recordPush refuses
    // pushes while the deletion runs and the head it was deleted at).
    const revived = existing.deletedAt ? { deletingAt: null, deletedAt: null, stage: "development" as const, productionSlot: null } : {};
    const branch = await tx.branch.update({
      where: { id: existing.id },
      data: { headRevision: revision, archivedAt: null, lastActivityAt: new Date(), ...revived },
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

/** A branch as the follow-up decision after a build reads it (has its head moved, should it build?). */
export interface BranchHeadState {
  projectId: string;
  stage: Stage;
  pushBehavior: PushBehavior;
  headRevision: string | null;
  archivedAt: Date | null;
}

export function findBranchHeadState(db: Db, branchId: string): Promise<BranchHeadState | null> {
  return db.branch.findUnique({
    where: { id: branchId },
    select: { projectId: true, stage: true, pushBehavior: true, headRevision: true, archivedAt: true },
  });
}

/** A project's repository and recorded branch heads, as the poller compares them with the remote. */
export interface PolledProject {
  repoUrl: string;
  branches: {
    id: string;
    name: string;
    stage: Stage;
    pushBehavior: PushBehavior;
    headRevision: string | null;
    archivedAt: Date | null;
    /** Whether the branch has any build (a branch never built is built by the next poll). */
    built: boolean;
  }[];
}

export async function findPolledProject(db: Db, projectId: string): Promise<PolledProject | null> {
  const row = await db.project.findUnique({
    // A project being deleted is polled no more.
    where: { id: projectId, deletingAt: null },
    select: {
      repoUrl: true,
      branches: {
        select: {
          id: true,
          name: true,
          stage: true,
          pushBehavior: true,
          headRevision: true,
          archivedAt: true,
          builds: { select: { id: true }, take: 1 },
        },
      },
    },
  });
  if (!row) return null;
  return { repoUrl: row.repoUrl, branches: row.branches.map(({ builds, ...b }) => ({ ...b, built: builds.length > 0 })) };
}
