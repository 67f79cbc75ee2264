import { findCommitOfRevision, findProjectBranch, insertEvent, queueBuild, type Db } from "@slipway/db";
import { assertCanRebuild, DomainError, startBuild } from "@slipway/domain";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";

export interface RebuildDeps {
  prisma: Db;
  enqueueBuild: (buildId: string) => Promise<void>;
  notify: (notice: { projectId: string; buildId: string }) => Promise<void>;
}

export interface BuildRequestDeps {
  prisma: Db;
  /** Queues the worker's `branch.build` job (it reads the branch head with git and builds it). */
  enqueueBranchBuild: (job: { branchId: string; actorId: string; ip: string | null }) => Promise<void>;
}

/** The branch as a build request checks it: of this project, not archived, the role of its stage, none in progress. */
async function branchToBuild(prisma: Db, access: ProjectAccess, branchId: string) {
  const branch = await findProjectBranch(prisma, { projectId: access.project.id, branchId });
  if (!branch) throw new DomainError("not_found", "This branch does not exist any more.");
  authorizeBranchChange({ access, stages: [branch.stage] });
  assertCanRebuild(branch.builds.map((b) => b.state));
  return branch;
}

/**
 * Rebuild / Build now: builds the branch's head as it is in the repository now, not the last
 * recorded one (a repository without webhook gets its new commits built from the UI). The web
 * never runs git: it checks the role and enqueues the worker's `branch.build` job, which reads the
 * head, records it, queues the build (startBuild) and writes the history event and audit entry.
 */
export async function requestBranchBuild(
  deps: BuildRequestDeps,
  options: { access: ProjectAccess; branchId: string; actorId: string | null; ip?: string | null },
): Promise<{ branch: string }> {
  const { access, branchId, actorId } = options;
  if (!actorId) throw new DomainError("forbidden", "Sign in to build a branch.");
  const branch = await branchToBuild(deps.prisma, access, branchId);
  await deps.enqueueBranchBuild({ branchId: branch.id, actorId, ip: options.ip ?? null });
  return { branch: branch.name };
}

/**
 * "Rebuild this revision" (a build page): a new build of exactly `revision`, a revision a build of
 * the branch had (or its recorded head); no git needed, the build's fetch step reads that commit.
 */
export async function rebuildRevision(
  deps: RebuildDeps,
  options: { access: ProjectAccess; branchId: string; revision: string; actorId: string | null },
): Promise<{ buildId: string; number: number }> {
  const { access, branchId, actorId, revision } = options;
  const projectId = access.project.id;
  const branch = await branchToBuild(deps.prisma, access, branchId);
  const commit = await findCommitOfRevision(deps.prisma, { branchId, revision });
  if (!commit && revision !== branch.headRevision)
    throw new DomainError("not_found", `Branch ${branch.name} has no build of revision ${revision.slice(0, 8)}.`);
  const build = await startBuild(
    deps.enqueueBuild,
    async () => {
      const queued = await queueBuild(deps.prisma, {
        projectId,
        branchId,
        revision,
        commitMessage: commit?.commitMessage,
        commitAuthor: commit?.commitAuthor,
      });
      // Lost a race with a push or another click: the database constraint decided.
      if (!queued) throw new DomainError("conflict", "A build of this branch is already in progress; wait for it or cancel it first.");
      await insertEvent(deps.prisma, {
        projectId,
        branchId,
        buildId: queued.id,
        actorId,
        kind: "build.rebuild",
        message: `Rebuild of ${branch.name} at ${revision.slice(0, 8)} requested (build #${queued.number})`,
      });
      await recordAudit({
        prisma: deps.prisma,
        actorId,
        projectId,
        action: "build.rebuild",
        target: `${branch.name} build #${queued.number}`,
        details: { branch: branch.name, stage: branch.stage, revision },
      });
      return queued;
    },
    (queued) => queued,
  );
  await deps.notify({ projectId, buildId: build.id }).catch(() => undefined);
  return { buildId: build.id, number: build.number };
}
