import { mergeWorkdir } from "@slipway/config";
import { findMergeOutcome, loadMergeSubject, recordMergeOutcome } from "@slipway/db";
import { planDrop } from "@slipway/domain";
import { mergeAndPush, parseRepoUrl, type MergeOutcome } from "@slipway/git";
import { enqueue, publishProjectNotice, type JobPayload } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { mergeThroughGitHub } from "../github/merge";
import { projectGitHub } from "../github/project-client";

/**
 * The `branch.merge` job: drops branch `source` onto branch `target` — merges it and pushes the
 * target with the platform's credentials (docs/product/stages-and-branches.md, "Merging"). The web
 * already checked the user's role and their confirmation before enqueueing; here git runs in a
 * scratch clone under the state folder. A conflict is aborted (nothing is pushed or forced) and
 * recorded in the target's history with its files; a git failure is recorded too. Each outcome is
 * a history event tagged with the merge's id (the web's merge status reads it back) and a live
 * notice, the way backups report. A pushed merge builds through the usual path: the repository's
 * webhook, or a poll for local repositories. A GitHub project with credentials merges through
 * GitHub's merge API instead (POST /repos/{owner}/{repo}/merges: GitHub makes the merge commit and
 * its push webhook starts the build); the git path stays for other hosts.
 */
export async function mergeBranchJob(
  deps: Pick<WorkerDeps, "prisma" | "config" | "queues" | "redis" | "logger">,
  payload: JobPayload<"branch.merge">,
): Promise<MergeOutcome | null> {
  const { mergeId } = payload;
  const subject = await loadMergeSubject(deps.prisma, payload);
  if (!subject) {
    deps.logger.warn({ mergeId }, "merge dropped: a branch or the user is gone");
    return null;
  }
  const { projectId, actor } = subject;
  // A retried job (e.g. after a worker crash) never merges twice.
  if (await findMergeOutcome(deps.prisma, { projectId, mergeId })) return null;
  const plan = planDrop({ source: subject.source, target: subject.target });
  const record = (r: Parameters<typeof recordMergeOutcome>[1]["record"], messages: { target: string; source?: string }) =>
    recordMergeOutcome(deps.prisma, { mergeId, subject, record: r, messages, ip: payload.ip });
  const notify = () =>
    publishProjectNotice(deps.redis, { projectId, branchId: subject.target.id, kind: "branch" }).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "merge notice not published"),
    );

  let outcome: MergeOutcome;
  const github = await projectGitHub(deps, projectId);
  try {
    outcome = github
      ? await mergeThroughGitHub(github, { source: plan.from, target: plan.into, actor: actor.login })
      : await mergeAndPush({
          url: subject.repoUrl,
          source: plan.from,
          target: plan.into,
          workdir: mergeWorkdir(deps.config.home, mergeId),
          author: { name: actor.name ?? actor.login, email: `${actor.login.replace(/[^A-Za-z0-9._-]/g, "_")}@users.slipway.invalid` },
        });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await record(
      { kind: "failed", from: plan.from, into: plan.into, message },
      { target: `Merging ${plan.from} into ${plan.into} by ${actor.login} failed: ${message}` },
    );
    await notify();
    throw error;
  }

  if (outcome.kind === "conflict") {
    // GitHub's merge API names no files: it only answers 409 "Merge conflict".
    const where = outcome.files.length > 0 ? `conflicts in ${outcome.files.join(", ")}` : "has a merge conflict (reported by GitHub)";
    await record(
      { kind: "conflict", from: plan.from, into: plan.into, files: outcome.files },
      { target: `Merging ${plan.from} into ${plan.into} by ${actor.login} ${where}; nothing was pushed.` },
    );
  } else if (outcome.kind === "merged") {
    const short = outcome.revision.slice(0, 12);
    await record(
      { kind: "merged", from: plan.from, into: plan.into, revision: outcome.revision, previous: outcome.previous },
      {
        target: `Merged ${plan.from} into ${plan.into} (${short}) by ${actor.login}.`,
        source: `Merged into ${plan.into} (${short}) by ${actor.login}.`,
      },
    );
    if (parseRepoUrl(subject.repoUrl).kind === "local") await enqueue(deps.queues, "branch.poll", { projectId });
  } else {
    await record(
      { kind: "up_to_date", from: plan.from, into: plan.into },
      { target: `Nothing to merge: ${plan.into} already contains ${plan.from} (${actor.login}).` },
    );
  }
  await notify();
  return outcome;
}
