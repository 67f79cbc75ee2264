import { randomUUID } from "node:crypto";
import { findMergeOutcome, type Db, type MergeRecord } from "@slipway/db";
import { DomainError, planDrop, type MergePlan } from "@slipway/domain";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { findBranchByName } from "./find-branch";

export interface MergeBranchDeps {
  prisma: Db;
  /** Enqueues the worker's `branch.merge` job (git never runs inside a web request). */
  enqueueMerge: (payload: {
    mergeId: string;
    sourceBranchId: string;
    targetBranchId: string;
    actorId: string;
    ip: string | null;
  }) => Promise<void>;
}

export type MergeStarted = { plan: MergePlan; mergeId: string; state: "started" };

/**
 * Asks for branch `source` to be dropped onto branch `into`: merged into it, then `into` pushed
 * with the platform's credentials (docs/product/stages-and-branches.md, "Merging"). Who may merge
 * what is checked here, before anything is queued; dropping development straight onto production
 * carries a warning the user must confirm (`confirmed`). The merge itself is the worker's
 * `branch.merge` job: this answers "merge started" with the merge's id, and `readMergeStatus`
 * tells how it ended (merged, nothing to merge, conflict, failure) once the worker recorded it.
 */
export async function mergeBranch(
  deps: MergeBranchDeps,
  options: {
    access: ProjectAccess;
    source: string;
    into: string;
    confirmed: boolean;
    actor: { id: string };
    ip?: string | null;
  },
): Promise<MergeStarted> {
  const { access } = options;
  const projectId = access.project.id;
  const source = await findBranchByName(deps.prisma, { projectId, name: options.source });
  const target = await findBranchByName(deps.prisma, { projectId, name: options.into });
  authorizeBranchChange({ access, stages: [source.stage, target.stage] });
  const plan = planDrop({ source, target });
  if (plan.warning && !options.confirmed) {
    throw new DomainError("conflict", plan.warning, { details: { reason: "confirmation_required", from: plan.from, into: plan.into } });
  }
  const mergeId = randomUUID();
  await deps.enqueueMerge({
    mergeId,
    sourceBranchId: source.id,
    targetBranchId: target.id,
    actorId: options.actor.id,
    ip: options.ip ?? null,
  });
  return { plan, mergeId, state: "started" };
}

export type MergeStatus =
  | { state: "pending" }
  | { state: "done"; outcome: { kind: "merged"; revision: string; previous: string } | { kind: "up_to_date" } };

/**
 * How a merge job ended, as the worker recorded it in the project's history. A conflict throws
 * DomainError "conflict" with the files (nothing was merged or pushed), a git failure
 * "upstream_failed"; "pending" until the worker has finished.
 */
export async function readMergeStatus(deps: { prisma: Db }, options: { access: ProjectAccess; mergeId: string }): Promise<MergeStatus> {
  const record: MergeRecord | null = await findMergeOutcome(deps.prisma, {
    projectId: options.access.project.id,
    mergeId: options.mergeId,
  });
  if (!record) return { state: "pending" };
  if (record.kind === "conflict") {
    throw new DomainError(
      "conflict",
      // A merge through GitHub's merge API learns of the conflict without its files.
      `Merging "${record.from}" into "${record.into}" ${record.files.length > 0 ? `conflicts in: ${record.files.join(", ")}` : "has a merge conflict (reported by GitHub)"}. Nothing was merged or pushed; resolve the conflict with git and push.`,
      { details: { reason: "merge_conflict", files: record.files } },
    );
  }
  if (record.kind === "failed") {
    throw new DomainError("upstream_failed", `Merging "${record.from}" into "${record.into}" failed: ${record.message}`);
  }
  if (record.kind === "merged") return { state: "done", outcome: { kind: "merged", revision: record.revision, previous: record.previous } };
  return { state: "done", outcome: { kind: "up_to_date" } };
}
