import type { Tool } from "@slipway/domain";
import { deps } from "../deps";
import { authorizeBuildTool, type AuthorizedBuild } from "./authorize";
import { accessErrorResponse, crossSiteRefusal, errorJson, routeViewer } from "./http";

export type BuildRouteParams = { params: Promise<{ slug: string; number: string }> };

/**
 * The edge of the build action routes (connect, rebuild, cancel): same-origin POST (CSRF), the
 * viewer (signed in or anonymous) from the request's session cookie, the build by number with
 * the matrix cell `tool` checked, then the use case (which checks its own finer cell). Refusals
 * are JSON: 401 sign in, 403 role, 404 unknown or invisible, 409 wrong state.
 */
export async function buildActionRoute(
  request: Request,
  { params }: BuildRouteParams,
  tool: Tool,
  act: (ctx: AuthorizedBuild & { userId: string | null; body: Record<string, unknown> }) => Promise<Record<string, unknown>>,
): Promise<Response> {
  const d = deps();
  const refusal = crossSiteRefusal({ request, publicUrl: d.config.web.publicUrl });
  if (refusal) return refusal;
  let body: Record<string, unknown> = {};
  const text = await request.text();
  if (text.length > 4096) return errorJson(413, "invalid_input", "The request body is too large.");
  try {
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    return errorJson(400, "invalid_input", "The request body is not JSON.");
  }
  try {
    const { slug, number } = await params;
    const user = await routeViewer({ sessions: d.sessions, request });
    const authorized = await authorizeBuildTool({ prisma: d.prisma, user, slug, build: { number }, tool });
    return Response.json(await act({ ...authorized, userId: user?.id ?? null, body }), { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return accessErrorResponse(e);
  }
}
