import { buildActionRoute, type BuildRouteParams } from "../../../../../../../server/access/build-action-route";
import { connectUrl } from "../../../../../../../server/builds/connect-build";
import { deps } from "../../../../../../../server/deps";

export const dynamic = "force-dynamic";

/** Connect / Connect as (JSON twin of the build page's form): { login? } → { url } to open. */
export function POST(request: Request, context: BuildRouteParams): Promise<Response> {
  return buildActionRoute(request, context, "connect", async ({ access, build, body }) => {
    const d = deps();
    const login = typeof body.login === "string" ? body.login.trim().slice(0, 128) : "";
    const url = await connectUrl({ prisma: d.prisma, encryptionKey: d.config.encryptionKey, proxyPort: d.config.proxyPort }, { access, buildId: build.id, login: login || "admin" });
    return { url };
  });
}
