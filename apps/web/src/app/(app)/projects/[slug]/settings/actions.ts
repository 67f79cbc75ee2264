"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { loadProjectAccess, type ProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { addCollaborator, changeCollaboratorRole, parseRole, removeCollaborator } from "@/server/collaborators/manage-collaborators";
import { deps } from "@/server/deps";

const text = (form: FormData, name: string, max = 200) => String(form.get(name) ?? "").slice(0, max);

/**
 * Runs a settings change as the current viewer and comes back to the settings page with a notice
 * or the refusal's message (plain forms: works without JavaScript). Authorization happens in the
 * use case (admins only), never in the page alone.
 */
async function run(
  form: FormData,
  act: (ctx: { access: ProjectAccess; ip: string }) => Promise<string>,
  keepOnError: Record<string, string> = {},
): Promise<never> {
  const slug = text(form, "slug");
  const d = deps();
  let query: string;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user: await getCurrentUser(), slug });
    query = `notice=${encodeURIComponent(await act({ access, ip: clientIp(await headers(), d.config.trustedProxies) }))}`;
  } catch (e) {
    if (!isDomainError(e)) {
      console.error(`Slipway web: settings change failed: ${(e as Error).stack ?? e}`);
      query = `error=${encodeURIComponent("The change failed (database unreachable?). Try again shortly.")}`;
    } else query = `error=${encodeURIComponent(e.message)}`;
    // The typed values come back into the form, so a refusal (GitHub unreachable…) loses nothing.
    for (const [name, value] of Object.entries(keepOnError)) query += `&${name}=${encodeURIComponent(value)}`;
  }
  redirect(`/projects/${encodeURIComponent(slug)}/settings?${query}`);
}

export async function addCollaboratorAction(form: FormData): Promise<void> {
  await run(
    form,
    async ({ access, ip }) => {
      const d = deps();
      const row = await addCollaborator(
        { prisma: d.prisma, githubApiUrl: d.config.github.apiUrl },
        { access, login: text(form, "login", 100), role: parseRole(form.get("role") || "developer"), ip },
      );
      return `${row.user.login} added as ${row.role}.`;
    },
    { login: text(form, "login", 100), role: text(form, "role", 20) },
  );
}

export async function changeRoleAction(form: FormData): Promise<void> {
  await run(form, async ({ access, ip }) => {
    const changed = await changeCollaboratorRole(
      { prisma: deps().prisma },
      { access, collaboratorId: text(form, "collaboratorId"), role: parseRole(form.get("role")), ip },
    );
    return `${changed.login} is now ${changed.to}.`;
  });
}

export async function removeCollaboratorAction(form: FormData): Promise<void> {
  await run(form, async ({ access, ip }) => {
    const removed = await removeCollaborator({ prisma: deps().prisma }, { access, collaboratorId: text(form, "collaboratorId"), ip });
    return `${removed.login} removed.`;
  });
}
