import type { Build, PrismaClient } from "../generated/prisma/client";
import { archiveBranch, recordBranchHead } from "./branches";
import { queueBuildInTx } from "./builds";
import { isUniqueViolation } from "./errors";

export interface PushInput {
  projectId: string;
  branch: string;
  /** null when the branch was deleted. */
  revision: string | null;
  message?: string | null;
  author?: string | null;
  /** Idempotency key of the delivery (webhook id); omitted for polls. */
  deliveryId?: string;
  event?: string;
  actorId?: string | null;
}

export type PushOutcome =
  | { kind: "duplicate" }
  | { kind: "archived"; branchId: string | null }
  | { kind: "recorded"; branchId: string; createdBranch: boolean; build: Build | null; reason: string };

/**
 * Records a push in one transaction: the delivery (idempotency), the branch head (new branches
 * appear in development; deleted ones are archived), a history event and, per the branch's push
 * behaviour, a queued build. The caller enqueues `build.run` for the returned build after commit.
 */
export async function recordPush(prisma: PrismaClient, input: PushInput): Promise<PushOutcome> {
  try {
    return await prisma.$transaction(async (tx) => {
      if (input.deliveryId) {
        await tx.webhookDelivery.create({
          data: { id: input.deliveryId, projectId: input.projectId, event: input.event ?? "push", outcome: input.revision ? "push" : "delete" },
        });
      }
      if (!input.revision) {
        const branch = await archiveBranch(tx, { projectId: input.projectId, name: input.branch });
        if (branch) {
          await tx.event.create({ data: { projectId: input.projectId, branchId: branch.id, actorId: input.actorId ?? null, kind: "branch.archived", message: `Branch ${input.branch} was deleted; archived with its builds.` } });
        }
        return { kind: "archived" as const, branchId: branch?.id ?? null };
      }
      const { branch, created } = await recordBranchHead(tx, { projectId: input.projectId, name: input.branch, revision: input.revision });
      const short = input.revision.slice(0, 8);
      await tx.event.create({
        data: {
          projectId: input.projectId,
          branchId: branch.id,
          actorId: input.actorId ?? null,
          kind: "push",
          message: `${input.author ?? "Someone"} pushed ${short}${input.message ? `: ${input.message.split("\n")[0]}` : ""}`,
          data: { revision: input.revision },
        },
      });
      if (branch.pushBehavior === "do_nothing") {
        return { kind: "recorded" as const, branchId: branch.id, createdBranch: created, build: null, reason: "push behaviour is 'do nothing'" };
      }
      const previous =
        branch.pushBehavior === "update_previous"
          ? await tx.build.findFirst({ where: { branchId: branch.id }, orderBy: { number: "desc" }, select: { id: true } })
          : null;
      const build = await queueBuildInTx(tx, {
        projectId: input.projectId,
        branchId: branch.id,
        revision: input.revision,
        commitMessage: input.message ?? null,
        commitAuthor: input.author ?? null,
        previousBuildId: previous?.id ?? null,
      });
      return {
        kind: "recorded" as const,
        branchId: branch.id,
        createdBranch: created,
        build,
        reason: build ? `build #${build.number} queued` : "a build is in progress; the branch head will be built when it ends",
      };
    });
  } catch (e) {
    if (input.deliveryId && isUniqueViolation(e, "WebhookDelivery_pkey")) return { kind: "duplicate" };
    throw e;
  }
}
