import { issueShellTicket, panelBehindProxy, shellTicketKey } from "@slipway/config";
import { TERMINAL_PATH } from "@slipway/domain";
import { crossSiteRefusal, errorJson } from "@/server/access";
import { buildToolForRoute, type RouteParams } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/**
 * A short-lived, single-use ticket to open a shell on the build (role matrix: Shell on the build's
 * stage). The browser opens ws://<this host>:<port><path>?ticket=… on the worker's terminal
 * gateway, which verifies the ticket and checks the role again itself; when the panel is served
 * through the proxy (port null), wss://<the panel's origin><path>, which the proxy routes there.
 */
export async function POST(request: Request, { params }: RouteParams): Promise<Response> {
  const d = deps();
  const refusal = crossSiteRefusal({ request, publicUrl: d.config.web.publicUrl });
  if (refusal) return refusal;
  const auth = await buildToolForRoute({ request, params, tool: "shell" });
  if (!auth.ok) return auth.response;
  if (auth.build.state !== "running")
    return errorJson(409, "invalid_state", `Build #${auth.build.number} is not running: there is no server to open a shell in.`);
  const { ticket, claims } = issueShellTicket({ key: shellTicketKey(d.config.encryptionKey), userId: auth.userId, buildId: auth.build.id });
  return Response.json(
    {
      ticket,
      port: panelBehindProxy(d.config) ? null : d.config.terminalPort,
      path: TERMINAL_PATH,
      expiresAt: new Date(claims.exp).toISOString(),
    },
    { headers: { "cache-control": "no-store" } },
  );
}
