import { isDomainError } from "@slipway/domain";
import { notFound } from "next/navigation";
import { requireUser } from "../auth/current-user";
import { deps } from "../deps";
import { loadProjectAccess, type ProjectAccess } from "./project-access";

/** For pages: the project as the signed-in user may see it (sign-in redirect, or Next's 404). */
export async function projectOr404(slug: string): Promise<ProjectAccess & { userId: string }> {
  const user = await requireUser();
  try {
    return { ...(await loadProjectAccess({ prisma: deps().prisma, user, slug })), userId: user.id };
  } catch (e) {
    if (isDomainError(e, "not_found")) notFound();
    throw e;
  }
}
