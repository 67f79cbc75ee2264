import { randomUUID } from "node:crypto";
import path from "node:path";
import type { PrismaClient } from "@slipway/db";
import { DomainError, planDrop, type MergePlan } from "@slipway/domain";
import { mergeAndPush, parseRepoUrl, type MergeOutcome } from "@slipway/git";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { findBranchByName } from "./find-branch";

export interface MergeBranchDeps {
  prisma: PrismaClient;
  /** State folder: merges run in `<home>/merges/<uuid>`, removed afterwards. */
  home: string;
  /** Asks the worker to poll the project's branches (local repositories send no webhook). */
  enqueuePoll: (projectId: string) => Promise<void>;
  notify: (notice: { projectId: string; branchId: string }) => Promise<void>;
}

export type MergeResult = { plan: MergePlan; outcome: MergeOutcome };

/**
 * Drops branch `source` onto branch `into`: merges it and pushes `into` with the platform's
 * credentials (PRODUCT.md §2). Dropping development straight onto production carries a warning the
 * user must confirm (`confirmed`). A conflict is aborted and refused (DomainError "conflict" with
 * the files), recorded in the target's history; nothing is forced. A successful push builds
 * through the usual path: the repository's webhook, or a poll for local repositories.
 */
export async function mergeBranch(
  deps: MergeBranchDeps,
  options: {
    access: ProjectAccess;
    source: string;
    into: string;
    confirmed: boolean;
    actor: { id: string; login: string; name: string | null };
    ip?: string | null;
  },
): Promise<MergeResult> {
  const { access, actor } = options;
  const projectId = access.project.id;
  const source = await findBranchByName(deps.prisma, { projectId, name: options.source });
  const target = await findBranchByName(deps.prisma, { projectId, name: options.into });
  authorizeBranchChange({ access, stages: [source.stage, target.stage] });
  const plan = planDrop({ source, target });
  if (plan.warning && !options.confirmed) {
    throw new DomainError("conflict", plan.warning, { details: { reason: "confirmation_required", from: plan.from, into: plan.into } });
  }
  const repo = await deps.prisma.project.findUniqueOrThrow({ where: { id: projectId }, select: { repoUrl: true } });
  const outcome = await mergeAndPush({
    url: repo.repoUrl,
    source: plan.from,
    target: plan.into,
    workdir: path.join(deps.home, "merges", randomUUID()),
    author: { name: actor.name ?? actor.login, email: `${actor.login.replace(/[^A-Za-z0-9._-]/g, "_")}@users.slipway.invalid` },
  });
  const audit = (action: string, details: Record<string, string | string[]>) =>
    recordAudit({
      prisma: deps.prisma,
      projectId,
      actorId: actor.id,
      action,
      target: `${plan.from} → ${plan.into}`,
      details,
      ip: options.ip ?? null,
    });
  const event = (branchId: string, kind: string, message: string, data: Record<string, string | string[]>) =>
    deps.prisma.event.create({ data: { projectId, branchId, actorId: actor.id, kind, message, data } });

  if (outcome.kind === "conflict") {
    const files = outcome.files.join(", ");
    await event(
      target.id,
      "branch.merge_conflict",
      `Merging ${plan.from} into ${plan.into} by ${actor.login} conflicts in ${files}; nothing was pushed.`,
      { from: plan.from, files: outcome.files },
    );
    await audit("branch.merge_conflict", { from: plan.from, into: plan.into, files: outcome.files });
    throw new DomainError(
      "conflict",
      `Merging "${plan.from}" into "${plan.into}" conflicts in: ${files}. Nothing was merged or pushed; resolve the conflict with git and push.`,
      { details: { reason: "merge_conflict", files: outcome.files } },
    );
  }
  if (outcome.kind === "merged") {
    const short = outcome.revision.slice(0, 12);
    await deps.prisma.$transaction(async (tx) => {
      const data = { from: plan.from, into: plan.into, revision: outcome.revision, previous: outcome.previous };
      await tx.event.create({
        data: {
          projectId,
          branchId: target.id,
          actorId: actor.id,
          kind: "branch.merge",
          message: `Merged ${plan.from} into ${plan.into} (${short}) by ${actor.login}.`,
          data,
        },
      });
      await tx.event.create({
        data: {
          projectId,
          branchId: source.id,
          actorId: actor.id,
          kind: "branch.merged_into",
          message: `Merged into ${plan.into} (${short}) by ${actor.login}.`,
          data,
        },
      });
      await recordAudit({
        prisma: tx,
        projectId,
        actorId: actor.id,
        action: "branch.merge",
        target: `${plan.from} → ${plan.into}`,
        details: data,
        ip: options.ip ?? null,
      });
    });
    if (parseRepoUrl(repo.repoUrl).kind === "local") await deps.enqueuePoll(projectId);
  } else {
    await event(target.id, "branch.merge", `Nothing to merge: ${plan.into} already contains ${plan.from} (${actor.login}).`, {
      from: plan.from,
    });
  }
  await deps.notify({ projectId, branchId: target.id }).catch(() => undefined);
  return { plan, outcome };
}
