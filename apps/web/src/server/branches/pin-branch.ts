import { setBranchPinned, type Db } from "@slipway/db";
import { authorizeBranchChange, type ProjectAccess } from "../access";
import { findBranchByName } from "./find-branch";

/**
 * Pins or unpins a branch: the garbage collector never removes a pinned branch's databases
 * (docs/product/builds-and-tests.md "both pinnable"). Gated like the branch's other settings.
 */
export async function pinBranch(
  deps: { prisma: Db; notify: (notice: { projectId: string; branchId: string }) => Promise<void> },
  options: { access: ProjectAccess; branchName: string; pinned: boolean; actor: { id: string; login: string }; ip?: string | null },
): Promise<{ pinned: boolean }> {
  const { access, actor, pinned } = options;
  const projectId = access.project.id;
  const branch = await findBranchByName(deps.prisma, { projectId, name: options.branchName });
  authorizeBranchChange({ access, stages: [branch.stage] });
  if (branch.pinned === pinned) return { pinned };
  const message = pinned ? `Pinned by ${actor.login}: its databases are kept by the garbage collector.` : `Unpinned by ${actor.login}.`;
  await setBranchPinned(deps.prisma, {
    projectId,
    branchId: branch.id,
    pinned,
    event: { actorId: actor.id, kind: pinned ? "branch.pin" : "branch.unpin", message },
    audit: { projectId, actorId: actor.id, action: pinned ? "branch.pin" : "branch.unpin", target: branch.name, ip: options.ip ?? null },
  });
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { pinned };
}
