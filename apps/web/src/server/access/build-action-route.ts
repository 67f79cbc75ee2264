import type { Tool } from "@slipway/domain";
import { deps } from "../deps";
import { authorizeBuildTool, type AuthorizedBuild } from "./authorize";
import { accessErrorResponse, crossSiteRefusal, errorJson, routeViewer } from "./http";
import { readBodyText } from "./read-body";

const MAX_BODY = 4096;

export type BuildRouteParams = { params: Promise<{ slug: string; number: string }> };

/**
 * The edge of the build action routes (connect, rebuild, cancel): same-origin POST (CSRF), the
 * viewer (signed in or anonymous) from the request's session cookie, the build by number with
 * the matrix cell `tool` checked, then the JSON body (at most 4 KiB, read only after authorization),
 * then the use case (which checks its own finer cell). Refusals are JSON: 401 sign in, 403 role,
 * 404 unknown or invisible, 409 wrong state, 413 body too large.
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
  try {
    const { slug, number } = await params;
    const user = await routeViewer({ sessions: d.sessions, request });
    const authorized = await authorizeBuildTool({ prisma: d.prisma, user, slug, build: { number }, tool });
    // The body is read only once the viewer may act, and never past 4 KiB.
    const read = await readBodyText(request, MAX_BODY);
    if (!read.ok) return errorJson(413, "invalid_input", "The request body is too large.");
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = read.text ? JSON.parse(read.text) : {};
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      return errorJson(400, "invalid_input", "The request body is not JSON.");
    }
    return Response.json(await act({ ...authorized, userId: user?.id ?? null, body }), { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return accessErrorResponse(e);
  }
}
