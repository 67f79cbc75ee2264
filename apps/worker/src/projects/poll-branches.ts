import { findPolledProject, insertBranchHead, queuedByPush, recordPush } from "@slipway/db";
import { startBuild } from "@slipway/domain";
import { enqueueBuildRun, publishProjectNotice } from "@slipway/queue";
import { listRemoteBranches } from "@slipway/git";
import type { WorkerDeps } from "../deps";

/**
 * The `branch.poll` job: the fallback for repositories without webhooks. Compares `git ls-remote`
 * with the recorded branch heads and records what moved exactly like a push would (new branches
 * in development, deleted ones archived). The first poll of a project only records the heads.
 */
export async function pollBranches(deps: WorkerDeps, { projectId }: { projectId: string }): Promise<{ changed: number }> {
  const project = await findPolledProject(deps.prisma, projectId);
  if (!project) return { changed: 0 };
  const heads = await listRemoteBranches({ url: project.repoUrl });
  const known = new Map(project.branches.map((b) => [b.name, b]));
  const firstPoll = project.branches.length === 0;
  let changed = 0;
  for (const [name, revision] of heads) {
    const branch = known.get(name);
    if (branch && !branch.archivedAt && branch.headRevision === revision) continue;
    changed++;
    if (firstPoll) {
      await insertBranchHead(deps.prisma, { projectId, name, headRevision: revision });
      continue;
    }
    await startBuild(
      (id) => enqueueBuildRun(deps.queues, id),
      () => recordPush(deps.prisma, { projectId, branch: name, revision, message: null, author: null }),
      queuedByPush,
    );
  }
  for (const [name, branch] of known) {
    if (!heads.has(name) && !branch.archivedAt) {
      changed++;
      await recordPush(deps.prisma, { projectId, branch: name, revision: null });
    }
  }
  if (changed) await publishProjectNotice(deps.redis, { projectId, kind: "branch" }).catch(() => undefined);
  return { changed };
}
