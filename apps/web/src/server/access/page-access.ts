import type { ProjectAction } from "@slipway/domain";
import { isDomainError } from "@slipway/domain";
import { notFound, redirect } from "next/navigation";
import { getCurrentUser } from "../auth/current-user";
import { deps } from "../deps";
import { loadProjectAccess, SIGN_IN_REASON, type ProjectAccess } from "./project-access";

/**
 * For pages: runs an access check and turns its refusal into the page's answer: an anonymous
 * visitor of a project they cannot see goes to /login, everyone else gets Next's 404 (a page a
 * role may not use is not advertised; the JSON routes answer 403 with the reason instead).
 */
export async function orPageRefusal<T>(check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (e) {
    if (isDomainError(e, "not_found") && e.details?.reason === SIGN_IN_REASON) redirect("/login");
    if (isDomainError(e, "not_found", "forbidden")) notFound();
    throw e;
  }
}

/** The project as the current viewer (signed in or anonymous) may see it. */
export async function projectForPage(slug: string): Promise<ProjectAccess> {
  const user = await getCurrentUser();
  return orPageRefusal(() => loadProjectAccess({ prisma: deps().prisma, user, slug }));
}

/** An admin-only (or other project action) page: the project, or login redirect / 404. */
export async function projectActionForPage(slug: string, action: ProjectAction): Promise<ProjectAccess> {
  const access = await projectForPage(slug);
  return orPageRefusal(async () => {
    access.assert({ action });
    return access;
  });
}
