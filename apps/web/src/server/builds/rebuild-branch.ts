import { findCommitOfRevision, findProjectBranch, insertEvent, queueBuild, type Db } from "@slipway/db";
import { assertCanRebuild, DomainError, startBuild } from "@slipway/domain";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";

export interface RebuildDeps {
  prisma: Db;
  enqueueBuild: (buildId: string) => Promise<void>;
  notify: (notice: { projectId: string; buildId: string }) => Promise<void>;
}

/** Queues a new build of the branch's head revision; refused while one is in progress. */
export async function rebuildBranch(
  deps: RebuildDeps,
  options: { access: ProjectAccess; branchId: string; actorId: string | null },
): Promise<{ buildId: string; number: number }> {
  const { access, branchId, actorId } = options;
  const projectId = access.project.id;
  const branch = await findProjectBranch(deps.prisma, { projectId, branchId });
  if (!branch) throw new DomainError("not_found", "This branch does not exist any more.");
  authorizeBranchChange({ access, stages: [branch.stage] });
  assertCanRebuild(branch.builds.map((b) => b.state));
  if (!branch.headRevision) throw new DomainError("invalid_state", `Branch ${branch.name} has no known revision yet; push to it first.`);

  const revision = branch.headRevision;
  const commit = await findCommitOfRevision(deps.prisma, { branchId, revision });
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
        message: `Rebuild of ${branch.name} requested (build #${queued.number})`,
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
