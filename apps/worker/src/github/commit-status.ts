import {
  hasPostedCommitStatus,
  loadCommitStatusSubject,
  recordCommitStatusFailed,
  recordCommitStatusPosted,
  type CommitStatusSubject,
} from "@slipway/db";
import { commitStatusFor, DomainError, isInProgress, postsCommitStatuses, type CommitStatusVerdict } from "@slipway/domain";
import { enqueue, jobCatalog, publishProjectNotice, type JobContext, type JobPayload } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { buildPageUrl } from "../builds/red-page";
import { projectGitHub, gitHubErrorSummary } from "./project-client";

type Deps = Pick<WorkerDeps, "prisma" | "config" | "queues" | "redis" | "logger">;

/**
 * Queues the commit status of a build's start (`pending`) or verdict. Never throws: a build's
 * verdict does not depend on GitHub, nor on Redis accepting this job.
 */
export async function queueCommitStatus(
  deps: Pick<WorkerDeps, "queues" | "logger">,
  buildId: string,
  verdict: CommitStatusVerdict,
): Promise<void> {
  await enqueue(deps.queues, "github.commit-status", { buildId, verdict }).catch((error: unknown) =>
    deps.logger.warn({ err: error, buildId, verdict }, "commit status not queued"),
  );
}

/**
 * The `github.commit-status` job: posts the build's status on its commit (POST
 * /repos/{owner}/{repo}/statuses/{sha}) with the context of its stage, a link to the build page and
 * the verdict with the duration. Nothing is posted for other hosts, with the setting off or without
 * credentials. A status already posted for (build, verdict) is not posted again; a `pending` whose
 * build already ended is skipped (the verdict's own job posts the final state, and a late pending
 * must not hide it). GitHub failing (5xx, rate limit, network) throws so BullMQ retries; the last
 * attempt, or an answer that retrying cannot change (401/403/404/422), is recorded on the build page.
 * The build row is only read here.
 */
export async function postCommitStatusJob(
  deps: Deps,
  payload: JobPayload<"github.commit-status">,
  context: Pick<JobContext, "attempt">,
): Promise<"posted" | "skipped"> {
  const { buildId, verdict } = payload;
  const build = await loadCommitStatusSubject(deps.prisma, buildId);
  if (!build) return "skipped";
  const { project } = build;
  // The setting first: no GitHub call (not even the App's installation lookup) for a project that posts nothing.
  if (!postsCommitStatuses({ repoKind: project.repoKind, commitStatuses: project.commitStatuses, hasGitHubCredentials: true }))
    return "skipped";
  if (verdict === "pending" && !isInProgress(build.state)) return "skipped";
  if (await hasPostedCommitStatus(deps.prisma, { buildId, verdict })) return "skipped";
  const github = await projectGitHub(deps, project.id);
  if (!github) return "skipped";

  const status = commitStatusFor({
    stage: build.stage,
    number: build.number,
    verdict,
    durationMs: verdict === "pending" ? null : durationOf(build),
    reason: build.failureReason,
  });
  const record = { verdict, ...status };
  try {
    await github.client.rest.repos.createCommitStatus({
      owner: github.owner,
      repo: github.repo,
      sha: build.revision,
      state: status.state,
      context: status.context,
      description: status.description,
      target_url: buildPageUrl(deps.config.web.publicUrl, { projectSlug: project.slug, number: build.number }),
      // One retry layer: the job's attempts and backoff (rate limits are still waited out by the client).
      request: { retries: 0 },
    });
  } catch (error) {
    const summary = gitHubErrorSummary(error);
    const attempts = jobCatalog["github.commit-status"].attempts;
    const final = !summary.retryable || context.attempt >= attempts;
    deps.logger.warn({ buildId, verdict, attempt: context.attempt, error: summary.message, final }, "commit status not posted");
    if (final) {
      await recordCommitStatusFailed(deps.prisma, build, { ...record, error: summary.message, attempts: context.attempt });
      notify(deps, build);
    }
    // upstream_failed is retried by the queue; invalid_state is not (retrying cannot change it).
    throw new DomainError(summary.retryable ? "upstream_failed" : "invalid_state", `GitHub refused the commit status: ${summary.message}`);
  }
  await recordCommitStatusPosted(deps.prisma, build, record);
  notify(deps, build);
  return "posted";
}

function durationOf(build: Pick<CommitStatusSubject, "startedAt" | "finishedAt">): number | null {
  if (!build.startedAt) return null;
  return (build.finishedAt ?? new Date()).getTime() - build.startedAt.getTime();
}

function notify(deps: Deps, build: CommitStatusSubject): void {
  void publishProjectNotice(deps.redis, { projectId: build.project.id, buildId: build.id, kind: "build" }).catch(() => undefined);
}
