import type { Tool } from "@slipway/domain";
import { accessErrorResponse, authorizeBuildTool, routeViewer, type AuthorizedBuild } from "../access";
import { deps } from "../deps";

export type RouteParams = { params: Promise<{ slug: string; number: string }> };

/**
 * For the build tool route handlers: the signed-in (or anonymous) viewer, the build by number and
 * the role matrix cell of `tool` on its stage, checked on the server for every request and stream.
 * Returns the Response to send instead (401/403/404) when refused.
 */
export async function buildToolForRoute(options: {
  request: Request;
  params: RouteParams["params"];
  tool: Tool;
}): Promise<({ ok: true; userId: string | null } & AuthorizedBuild) | { ok: false; response: Response }> {
  const d = deps();
  try {
    const { slug, number } = await options.params;
    const user = await routeViewer({ sessions: d.sessions, request: options.request });
    const authorized = await authorizeBuildTool({ prisma: d.prisma, user, slug, build: { number }, tool: options.tool });
    return { ok: true, userId: user?.id ?? null, ...authorized };
  } catch (e) {
    return { ok: false, response: accessErrorResponse(e) };
  }
}
