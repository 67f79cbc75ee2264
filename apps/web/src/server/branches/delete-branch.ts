import { markBranchDeleting, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { ProjectAccess } from "../access";
import { findBranchByName } from "./find-branch";

export interface DeleteBranchDeps {
  prisma: Db;
  /** Enqueues the worker's `branch.delete` job (Docker, PostgreSQL and the proxy are the worker's). */
  enqueueDelete: (branchId: string) => Promise<void>;
  notify: (notice: { projectId: string; branchId: string }) => Promise<void>;
}

/**
 * Deletes a branch from Slipway (issue 14): its builds, databases, containers, routes and files;
 * its backups stay, per retention. Admins only (project settings cell: it destroys data whatever
 * the stage), after typing the branch's name. The production branch cannot be deleted: another
 * branch must become production first. Here the branch is only marked as being deleted (it leaves
 * the board at once and nothing new starts on it) with its audit entry; the worker removes the rest.
 */
export async function deleteBranch(
  deps: DeleteBranchDeps,
  options: {
    access: ProjectAccess;
    branchName: string;
    /** What the user typed: must be the branch's name. */
    confirmation: string;
    actor: { id: string; login: string };
    ip?: string | null;
  },
): Promise<{ branchId: string }> {
  const { access, actor } = options;
  access.assert({ action: "project_settings" });
  const projectId = access.project.id;
  const branch = await findBranchByName(deps.prisma, { projectId, name: options.branchName });
  if (branch.stage === "production") {
    throw new DomainError(
      "invalid_state",
      `${branch.name} is the production branch: move another branch to production before deleting it.`,
    );
  }
  if (options.confirmation.trim() !== branch.name) {
    throw new DomainError("invalid_input", `Type the branch name (${branch.name}) to confirm its deletion.`);
  }
  const marked = await markBranchDeleting(deps.prisma, {
    projectId,
    branchId: branch.id,
    actorId: actor.id,
    actorLogin: actor.login,
    ip: options.ip ?? null,
  });
  if (!marked)
    throw new DomainError("conflict", `${branch.name} changed meanwhile (deleted, archived or moved to production); nothing was deleted.`);
  await deps.enqueueDelete(branch.id);
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { branchId: branch.id };
}
