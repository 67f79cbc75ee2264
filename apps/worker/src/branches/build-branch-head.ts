import { findBranchBuildSubject, queueRequestedBuild, recordBuildRequestFailure, type RequestedBuildOutcome } from "@slipway/db";
import { startBuild } from "@slipway/domain";
import { listRemoteBranches, repoUrlVetter } from "@slipway/git";
import { enqueueBuildRun, publishProjectNotice, type JobPayload } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { withProjectGitAccess } from "../github/git-access";

/**
 * The `branch.build` job: Build now / Rebuild of a branch (the web checked the user's role before
 * enqueueing; the web never runs git). Reads the branch head in the repository (`git ls-remote`),
 * records it when it moved (a repository without webhook: the new commit becomes buildable from
 * the UI) and builds it through startBuild. When the branch is gone from the repository or git
 * fails, the branch history says why; a live notice refreshes the open pages either way.
 */
export async function buildBranchHead(
  deps: Pick<WorkerDeps, "prisma" | "config" | "queues" | "redis" | "logger">,
  payload: JobPayload<"branch.build">,
): Promise<RequestedBuildOutcome | null> {
  const subject = await findBranchBuildSubject(deps.prisma, { branchId: payload.branchId, actorId: payload.actorId });
  if (!subject || subject.archivedAt) {
    deps.logger.warn({ branchId: payload.branchId }, "build request dropped: the branch is gone");
    return null;
  }
  const notify = () =>
    publishProjectNotice(deps.redis, { projectId: subject.projectId, branchId: subject.id, kind: "build" }).catch((error: unknown) =>
      deps.logger.warn({ err: error }, "build request notice not published"),
    );
  let revision: string | undefined;
  try {
    const heads = await withProjectGitAccess(deps, { id: subject.projectId, repoUrl: subject.repoUrl }, async (access) => {
      if (!access.ssh && !access.https) await repoUrlVetter({ localRoot: deps.config.localReposRoot })(subject.repoUrl);
      return listRemoteBranches({ url: subject.repoUrl, timeoutMs: 60_000, ...access });
    });
    revision = heads.get(subject.name);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await recordBuildRequestFailure(deps.prisma, { subject, reason: `the repository could not be read (${message}).` });
    await notify();
    return null;
  }
  if (!revision) {
    await recordBuildRequestFailure(deps.prisma, { subject, reason: `the repository has no branch named ${subject.name} any more.` });
    await notify();
    return null;
  }
  const outcome = await startBuild(
    (buildId) => enqueueBuildRun(deps.queues, buildId),
    () => queueRequestedBuild(deps.prisma, { subject, revision, ip: payload.ip }),
    (o) => o.build,
  );
  await notify();
  return outcome;
}
