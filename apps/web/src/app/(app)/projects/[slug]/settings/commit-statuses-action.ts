"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { changeCommitStatusesSetting } from "@/server/projects/commit-statuses-setting";

/** Saves the "GitHub commit statuses" card (admins only: checked in the use case). */
export async function saveCommitStatusesAction(form: FormData): Promise<void> {
  const slug = String(form.get("slug") ?? "").slice(0, 100);
  const d = deps();
  let query: string;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user: await getCurrentUser(), slug });
    const notice = await changeCommitStatusesSetting(
      { prisma: d.prisma },
      { access, enabled: form.get("commitStatuses") === "on", ip: clientIp(await headers(), d.config.trustedProxies) },
    );
    query = `notice=${encodeURIComponent(notice)}`;
  } catch (e) {
    if (!isDomainError(e)) console.error(`Slipway web: commit statuses setting failed: ${(e as Error).stack ?? e}`);
    query = `error=${encodeURIComponent(isDomainError(e) ? e.message : "The change failed (database unreachable?). Try again shortly.")}`;
  }
  redirect(`/projects/${encodeURIComponent(slug)}/settings?${query}`);
}
