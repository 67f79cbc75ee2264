import { markProjectDeleting, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { ProjectAccess } from "../access";

export interface DeleteProjectDeps {
  prisma: Db;
  /** Enqueues the worker's `project.delete` job. */
  enqueueDelete: (projectId: string) => Promise<void>;
}

/**
 * Deletes a project (issue 14): every branch's builds, databases, containers and routes, its
 * network and files; its backups are kept for a grace period (SLIPWAY_GC_DELETED_PROJECT_GRACE_DAYS),
 * then removed. Admins only, after typing the project's slug. The project leaves every list and
 * page at once (its row is marked as being deleted, audited); the worker's job removes the rest.
 */
export async function deleteProject(
  deps: DeleteProjectDeps,
  options: { access: ProjectAccess; confirmation: string; actor: { id: string; login: string }; ip?: string | null },
): Promise<void> {
  const { access, actor } = options;
  access.assert({ action: "project_settings" });
  const { project } = access;
  if (options.confirmation.trim() !== project.slug) {
    throw new DomainError("invalid_input", `Type the project's name (${project.slug}) to confirm its deletion.`);
  }
  const marked = await markProjectDeleting(deps.prisma, {
    projectId: project.id,
    actorId: actor.id,
    actorLogin: actor.login,
    ip: options.ip ?? null,
  });
  if (!marked) throw new DomainError("conflict", `${project.slug} is already being deleted.`);
  await deps.enqueueDelete(project.id);
}
