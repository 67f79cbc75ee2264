import { findProjectForViewer, type AuthUser, type Db, type ProjectSummary } from "@slipway/db";
import { assertCan, can, DomainError, type AccessTarget, type Actor, type Role } from "@slipway/domain";

/** Who is asking: a signed-in user (the session's user) or null for an anonymous visitor. */
export type Viewer = Pick<AuthUser, "id" | "isSuperuser"> | null;

export interface ProjectAccess {
  project: ProjectSummary;
  actor: Actor;
  /** The signed-in user's id; null for an anonymous visitor of a public project. */
  userId: string | null;
  /** Whether `target` is allowed for this viewer (role matrix of @slipway/domain). */
  can(target: AccessTarget): boolean;
  /** Throws DomainError("forbidden") saying why, unless allowed. */
  assert(target: AccessTarget): void;
}

/** Marks the refusal of an anonymous visitor: edges answer 401 / send to /login instead of 404. */
export const SIGN_IN_REASON = "sign_in";

/** The actor of the role matrix for a viewer and their collaborator role on the project. */
export function resolveActor(options: { user: Viewer; role: Role | null }): Actor {
  const { user, role } = options;
  if (user?.isSuperuser) return { kind: "superuser" };
  if (user && role) return { kind: "collaborator", role };
  return { kind: "anonymous" };
}

/**
 * The project named `slug` as `user` may see it. The platform superuser sees every project, a
 * collaborator their projects; others (signed in or not) see a public project as an anonymous
 * visitor. A project the viewer may not see is "not found", so probing names teaches nothing; for
 * an anonymous viewer the error carries details.reason = "sign_in" (401 / login page at the edge).
 */
export async function loadProjectAccess(options: { prisma: Db; user: Viewer; slug: string }): Promise<ProjectAccess> {
  const { prisma, user, slug } = options;
  const found = await findProjectForViewer(prisma, { slug, userId: user?.id ?? "00000000-0000-0000-0000-000000000000" });
  const notFound = user
    ? new DomainError("not_found", `There is no project named "${slug}".`)
    : new DomainError("not_found", "Sign in first.", { details: { reason: SIGN_IN_REASON } });
  if (!found) throw notFound;
  const actor = resolveActor({ user, role: found.role });
  const publicAccess = found.project.publicAccess;
  const allowed = (target: AccessTarget) => can({ actor, publicAccess, ...target });
  if (!allowed({ action: "view_project" })) throw notFound;
  return {
    project: found.project,
    actor,
    userId: user?.id ?? null,
    can: allowed,
    assert: (target) => assertCan({ actor, publicAccess, ...target }),
  };
}
