"use server";

import { isDomainError } from "@slipway/domain";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { loadProjectAccess } from "@/server/access";
import { getCurrentUser } from "@/server/auth/current-user";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { changeProjectGitHubToken, checkProjectGitHubCredentials, removeProjectGitHubToken } from "@/server/github/project-token";

/** The "GitHub credentials" card: save or remove the token, or check access (admins only: checked in the use cases). */
export async function githubCredentialsAction(form: FormData): Promise<void> {
  const slug = String(form.get("slug") ?? "").slice(0, 100);
  const intent = String(form.get("intent") ?? "");
  const d = deps();
  let query: string;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user: await getCurrentUser(), slug });
    const ip = clientIp(await headers(), d.config.trustedProxies);
    const notice =
      intent === "remove"
        ? await removeProjectGitHubToken(d, { access, ip })
        : intent === "check"
          ? await checkProjectGitHubCredentials(d, access)
          : await changeProjectGitHubToken(d, { access, token: String(form.get("token") ?? "").slice(0, 300), ip });
    query = `notice=${encodeURIComponent(notice)}`;
  } catch (e) {
    // Never log the form: it holds the token.
    if (!isDomainError(e))
      console.error(`Slipway web: GitHub credentials change failed: ${e instanceof Error ? e.message : "unknown error"}`);
    query = `error=${encodeURIComponent(isDomainError(e) ? e.message : "The change failed (database unreachable?). Try again shortly.")}`;
  }
  redirect(`/projects/${encodeURIComponent(slug)}/settings?${query}#github-credentials`);
}
