import { buildActionRoute, type BuildRouteParams } from "@/server/access/build-action-route";
import { connectBuild } from "@/server/builds/connect-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/**
 * Connect / Connect as (JSON twin of the build page's form): { login? } →
 * { url, method: "POST", fields: { token } } to submit as a form (automatic login, the token never in
 * a URL), or { url, method: "GET" } — the build's Odoo login page — when the role may open the build
 * but not log in automatically (see the matrix's connect_as cell).
 */
export function POST(request: Request, context: BuildRouteParams): Promise<Response> {
  return buildActionRoute(request, context, "connect", async ({ access, build, body }) => {
    const d = deps();
    const login = typeof body.login === "string" ? body.login.trim().slice(0, 128) : "";
    const target = await connectBuild(
      { prisma: d.prisma, encryptionKey: d.config.encryptionKey, proxy: d.config },
      { access, buildId: build.id, login: login || "admin" },
    );
    return target.kind === "signed"
      ? { url: target.url, method: "POST", fields: { token: target.token }, login: target.login }
      : { url: target.url, method: "GET" };
  });
}
