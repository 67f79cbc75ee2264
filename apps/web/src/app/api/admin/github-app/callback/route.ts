import { isDomainError } from "@slipway/domain";
import { clientIp } from "@/server/auth/session-cookie";
import { getCurrentUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { completeAppCreation, mayManageGitHubApp } from "@/server/github/github-app";

export const dynamic = "force-dynamic";

/** GitHub sends the administrator back here with ?code&state after creating the App from the manifest. */
export async function GET(request: Request): Promise<Response> {
  const d = deps();
  const user = await getCurrentUser();
  // Like the admin pages: a 404 for everyone but platform administrators.
  if (!mayManageGitHubApp(user)) return new Response("Not Found", { status: 404 });
  const url = new URL(request.url);
  const page = new URL(`${d.config.web.publicUrl}/admin/github-app`);
  try {
    const app = await completeAppCreation(d, {
      user,
      code: url.searchParams.get("code"),
      state: url.searchParams.get("state"),
      ip: clientIp(request.headers, d.config.trustedProxies),
    });
    page.searchParams.set("notice", `GitHub App "${app.name}" created. Install it on the repositories Slipway builds.`);
  } catch (e) {
    if (!isDomainError(e)) console.error(`Slipway web: GitHub App creation failed: ${e instanceof Error ? e.message : "unknown error"}`);
    page.searchParams.set("error", isDomainError(e) ? e.message : "The GitHub App could not be stored; try again shortly.");
  }
  return Response.redirect(page.toString(), 303);
}
