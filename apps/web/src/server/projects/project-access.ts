import { findProjectForViewer, type PrismaClient, type ProjectSummary } from "@slipway/db";
import { assertCan, can, DomainError, type AccessTarget, type Actor } from "@slipway/domain";

export interface ProjectAccess {
  project: ProjectSummary;
  actor: Actor;
  /** Whether `target` is allowed for this viewer (role matrix of @slipway/domain). */
  can(target: AccessTarget): boolean;
  /** Throws DomainError("forbidden") saying why, unless allowed. */
  assert(target: AccessTarget): void;
}

/**
 * The project named `slug` as `user` may see it. The platform superuser sees every project, a
 * collaborator their projects; others see a public project as an anonymous visitor would. A project
 * the user may not see is "not found", so probing names teaches nothing.
 */
export async function loadProjectAccess(options: {
  prisma: PrismaClient;
  user: { id: string; isSuperuser: boolean };
  slug: string;
}): Promise<ProjectAccess> {
  const { prisma, user, slug } = options;
  const found = await findProjectForViewer(prisma, { slug, userId: user.id });
  const notFound = new DomainError("not_found", `There is no project named "${slug}".`);
  if (!found) throw notFound;
  const actor: Actor = user.isSuperuser ? { kind: "superuser" } : found.role ? { kind: "collaborator", role: found.role } : { kind: "anonymous" };
  const publicAccess = found.project.publicAccess;
  const allowed = (target: AccessTarget) => can({ actor, publicAccess, ...target });
  if (!allowed({ action: "view_project" })) throw notFound;
  return { project: found.project, actor, can: allowed, assert: (target) => assertCan({ actor, publicAccess, ...target }) };
}
