import type { Build, Prisma, PrismaClient } from "../generated/prisma/client";

type Tx = Prisma.TransactionClient;

export interface QueueBuildInput {
  projectId: string;
  branchId: string;
  revision: string;
  commitMessage?: string | null;
  commitAuthor?: string | null;
  previousBuildId?: string | null;
}

/**
 * Creates a queued build for a branch inside the caller's transaction, unless the branch already
 * has one in progress (then returns null: the running build's end picks up the branch head).
 * The branch row is locked first so concurrent pushes serialize; the unique index on
 * (branchId, inProgressSlot) remains the guarantee.
 */
export async function queueBuildInTx(tx: Tx, input: QueueBuildInput): Promise<Build | null> {
  await tx.$queryRaw`SELECT id FROM "Branch" WHERE id = ${input.branchId}::uuid FOR UPDATE`;
  const busy = await tx.build.findFirst({ where: { branchId: input.branchId, inProgressSlot: true }, select: { id: true } });
  if (busy) return null;
  const branch = await tx.branch.findUniqueOrThrow({ where: { id: input.branchId }, select: { stage: true } });
  const { nextBuildNumber } = await tx.project.update({
    where: { id: input.projectId },
    data: { nextBuildNumber: { increment: 1 } },
    select: { nextBuildNumber: true },
  });
  return tx.build.create({
    data: {
      projectId: input.projectId,
      branchId: input.branchId,
      number: nextBuildNumber - 1,
      stage: branch.stage,
      revision: input.revision,
      commitMessage: input.commitMessage ?? null,
      commitAuthor: input.commitAuthor ?? null,
      previousBuildId: input.previousBuildId ?? null,
      state: "queued",
      inProgressSlot: true,
    },
  });
}

export function queueBuild(prisma: PrismaClient, input: QueueBuildInput): Promise<Build | null> {
  return prisma.$transaction((tx) => queueBuildInTx(tx, input));
}
