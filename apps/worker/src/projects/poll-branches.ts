import { findPolledProject, listProjectIds, queueBuild, queuedByPush, recordPush } from "@slipway/db";
import { decidePolledHead, startBuild } from "@slipway/domain";
import { enqueue, enqueueBuildRun, jobOptionsFor, publishProjectNotice } from "@slipway/queue";
import { listRemoteBranches, repoUrlVetter } from "@slipway/git";
import type { WorkerDeps } from "../deps";
import { withProjectGitAccess } from "../github/git-access";

/**
 * The `branch.poll` job: the fallback for repositories without webhooks. Compares `git ls-remote`
 * with the recorded branch heads and records what moved exactly like a push would (new branches
 * in development, deleted ones archived), which builds them per their push behaviour; a branch
 * never built yet (one that existed before the project, a project's first poll) is built too
 * (decidePolledHead). Every build starts through startBuild.
 */
export async function pollBranches(
  deps: Pick<WorkerDeps, "prisma" | "queues" | "redis" | "config" | "logger">,
  { projectId }: { projectId: string },
): Promise<{ changed: number; queued: number }> {
  const project = await findPolledProject(deps.prisma, projectId);
  if (!project) return { changed: 0, queued: 0 };
  let heads: Map<string, string>;
  try {
    // A GitHub project with a deploy key reads over SSH (the host is the configured one, not vetted).
    heads = await withProjectGitAccess(deps, { id: projectId, repoUrl: project.repoUrl }, async (access) => {
      if (!access.ssh && !access.https) await repoUrlVetter({ localRoot: deps.config.localReposRoot })(project.repoUrl);
      return listRemoteBranches({ url: project.repoUrl, timeoutMs: 60_000, ...access });
    });
  } catch (error) {
    // An unreachable repository is retried by the next scheduled poll; no failed job piles up per round.
    deps.logger.warn({ projectId, err: error instanceof Error ? error.message : String(error) }, "poll: repository not read");
    return { changed: 0, queued: 0 };
  }
  const known = new Map(project.branches.map((b) => [b.name, b]));
  const enqueueRun = (buildId: string) => enqueueBuildRun(deps.queues, buildId);
  let changed = 0;
  let queued = 0;
  for (const [name, revision] of heads) {
    const branch = known.get(name);
    const action = decidePolledHead(branch, revision);
    if (action === "nothing") continue;
    changed++;
    if (action === "build_head" && branch) {
      const build = await startBuild(
        enqueueRun,
        () => queueBuild(deps.prisma, { projectId, branchId: branch.id, revision }),
        (b) => b,
      );
      if (build) queued++;
      continue;
    }
    const outcome = await startBuild(
      enqueueRun,
      () => recordPush(deps.prisma, { projectId, branch: name, revision, message: null, author: null }),
      queuedByPush,
    );
    if (queuedByPush(outcome)) queued++;
  }
  for (const [name, branch] of known) {
    if (!heads.has(name) && !branch.archivedAt) {
      changed++;
      await recordPush(deps.prisma, { projectId, branch: name, revision: null });
    }
  }
  if (changed) await publishProjectNotice(deps.redis, { projectId, kind: "branch" }).catch(() => undefined);
  return { changed, queued };
}

/**
 * The `branch.poll-all` job (scheduled every SLIPWAY_POLL_INTERVAL_SECONDS): one `branch.poll`
 * per project, each deduplicated while one is pending, so a slow repository delays only itself.
 */
export async function pollAllProjects(deps: Pick<WorkerDeps, "prisma" | "queues">): Promise<{ projects: number }> {
  const ids = await listProjectIds(deps.prisma);
  for (const projectId of ids) await enqueue(deps.queues, "branch.poll", { projectId });
  return { projects: ids.length };
}

export const POLL_SCHEDULER_ID = "branch.poll-every";

/**
 * Registers (idempotently) the `branch.poll-all` schedule every `intervalSeconds`, or removes it
 * when polling is off (0). BullMQ's job scheduler keeps one schedule however many workers start.
 */
export async function schedulePolling(deps: Pick<WorkerDeps, "queues">, intervalSeconds: number): Promise<void> {
  const queue = deps.queues.get("control");
  if (intervalSeconds <= 0) {
    await queue.removeJobScheduler(POLL_SCHEDULER_ID);
    return;
  }
  const { attempts, removeOnComplete, removeOnFail } = jobOptionsFor("branch.poll-all", {});
  await queue.upsertJobScheduler(
    POLL_SCHEDULER_ID,
    { every: intervalSeconds * 1000 },
    { name: "branch.poll-all", data: {}, opts: { attempts, removeOnComplete, removeOnFail } },
  );
}
