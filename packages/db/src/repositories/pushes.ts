import { decideNewCommit } from "@slipway/domain";
import type { Db } from "../client";
import { archiveBranch, recordBranchHead } from "./branches";
import { queueBuildInTx, type QueuedBuild } from "./builds";
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
  /**
   * A second idempotency key, of the payload (e.g. its SHA-256): the same signed body sent again
   * under a new delivery id is a replay and changes nothing (issue 12, H3).
   */
  payloadKey?: string;
  /**
   * The head the push started from (`before`; null for a created branch). When set and the
   * branch has a recorded head, the push applies only if it matches that head: otherwise nothing
   * is written and the outcome is `stale` (a replayed old push, or a forced push the caller must
   * verify against the repository itself). The branch row is locked while checking.
   */
  expectedHead?: string | null;
  event?: string;
  actorId?: string | null;
}

export type PushOutcome =
  | { kind: "duplicate" }
  | { kind: "stale"; recordedHead: string | null }
  | { kind: "archived"; branchId: string | null }
  | { kind: "recorded"; branchId: string; createdBranch: boolean; build: QueuedBuild | null; reason: string };

/**
 * Records a push in one transaction: the delivery (idempotency), the branch head (new branches
 * appear in development; deleted ones are archived), a history event and, per the branch's push
 * behaviour, a queued build. The caller enqueues `build.run` for the returned build after commit
 * (startBuild, with `queuedByPush` as the build to run).
 */
export async function recordPush(prisma: Db, input: PushInput): Promise<PushOutcome> {
  try {
    return await prisma.$transaction(async (tx) => {
      for (const id of [input.deliveryId, input.payloadKey]) {
        if (!id) continue;
        await tx.webhookDelivery.create({
          data: { id, projectId: input.projectId, event: input.event ?? "push", outcome: input.revision ? "push" : "delete" },
        });
      }
      if (input.expectedHead !== undefined) {
        const rows = await tx.$queryRaw<{ headRevision: string | null }[]>`
          SELECT "headRevision" FROM "Branch" WHERE "projectId" = ${input.projectId}::uuid AND "name" = ${input.branch} FOR UPDATE`;
        const recorded = rows[0];
        if (recorded && recorded.headRevision !== null && recorded.headRevision !== input.expectedHead)
          throw new StalePush(recorded.headRevision);
      }
      if (!input.revision) {
        const branch = await archiveBranch(tx, { projectId: input.projectId, name: input.branch });
        if (branch) {
          await tx.event.create({
            data: {
              projectId: input.projectId,
              branchId: branch.id,
              actorId: input.actorId ?? null,
              kind: "branch.archived",
              message: `Branch ${input.branch} was deleted; archived with its builds.`,
            },
          });
        }
        return { kind: "archived" as const, branchId: branch?.id ?? null };
      }
      // Nothing starts on a project or branch being deleted, nor on the head a branch was deleted at.
      const project = await tx.project.findUnique({ where: { id: input.projectId }, select: { deletingAt: true } });
      if (!project || project.deletingAt) return { kind: "archived" as const, branchId: null };
      const deleted = await tx.branch.findUnique({
        where: { projectId_name: { projectId: input.projectId, name: input.branch } },
        select: { id: true, deletingAt: true, deletedAt: true, headRevision: true },
      });
      if (deleted?.deletingAt && (!deleted.deletedAt || deleted.headRevision === input.revision)) {
        return { kind: "archived" as const, branchId: deleted.id };
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
      if (!decideNewCommit(branch).build) {
        return {
          kind: "recorded" as const,
          branchId: branch.id,
          createdBranch: created,
          build: null,
          reason: "push behaviour is 'do nothing'",
        };
      }
      const build = await queueBuildInTx(tx, {
        projectId: input.projectId,
        branchId: branch.id,
        revision: input.revision,
        commitMessage: input.message ?? null,
        commitAuthor: input.author ?? null,
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
    if (e instanceof StalePush) return { kind: "stale", recordedHead: e.recordedHead };
    if ((input.deliveryId || input.payloadKey) && isUniqueViolation(e, "WebhookDelivery_pkey")) return { kind: "duplicate" };
    throw e;
  }
}

/** The build a push queued, if any: what startBuild enqueues after the push's transaction. */
export function queuedByPush(outcome: PushOutcome): QueuedBuild | null {
  return outcome.kind === "recorded" ? outcome.build : null;
}

/** Rolls the push's transaction back (its delivery rows included): see PushInput.expectedHead. */
class StalePush extends Error {
  constructor(readonly recordedHead: string | null) {
    super("the push does not start from the recorded head");
  }
}
