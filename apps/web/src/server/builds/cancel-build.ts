import { findProjectBuild, insertEvent, requestBuildCancel, type Db } from "@slipway/db";
import { assertCanCancel, DomainError } from "@slipway/domain";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";

export interface CancelDeps {
  prisma: Db;
  /** Queues `build.cancel` (the worker stops the build and cleans up). */
  enqueueCancel: (buildId: string) => Promise<void>;
  notify: (notice: { projectId: string; buildId: string }) => Promise<void>;
}

/** Records the cancel request on the build row, then asks the worker to act on it. */
export async function cancelBuild(
  deps: CancelDeps,
  options: { access: ProjectAccess; buildId: string; actorId: string | null },
): Promise<void> {
  const { access, buildId, actorId } = options;
  const projectId = access.project.id;
  const build = await findProjectBuild(deps.prisma, { projectId, buildId });
  if (!build) throw new DomainError("not_found", "This build does not exist.");
  authorizeBranchChange({ access, stages: [build.stage] });
  assertCanCancel(build.state);
  await requestBuildCancel(deps.prisma, buildId);
  await insertEvent(deps.prisma, {
    projectId,
    branchId: build.branchId,
    buildId,
    actorId,
    kind: "build.cancel",
    message: `Cancel of build #${build.number} requested`,
  });
  await recordAudit({
    prisma: deps.prisma,
    actorId,
    projectId,
    action: "build.cancel",
    target: `build #${build.number}`,
    details: { stage: build.stage },
  });
  await deps.enqueueCancel(buildId);
  await deps.notify({ projectId, buildId }).catch(() => undefined);
}
