import type { AuthUser } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import type { z } from "zod";
import {
  accessErrorResponse,
  crossSiteRefusal,
  errorJson,
  loadProjectAccess,
  routeViewer,
  unauthorizedResponse,
  type ProjectAccess,
} from "../access";
import { deps } from "../deps";

const MAX_BODY = 16 * 1024;

export type BranchRouteParams = { params: Promise<{ slug: string; branch: string }> };

/**
 * The shared edge of the branch-change routes (stage, merge, pin): same-origin POST from a signed-in
 * user, a small JSON body validated by `schema`, the project as that user may see it; the use case's
 * DomainErrors become JSON refusals ({ error: { code, message, reason?, files? } }) with their status.
 */
export async function branchRoute<S extends z.ZodType>(
  request: Request,
  { params }: BranchRouteParams,
  schema: S,
  act: (ctx: { access: ProjectAccess; user: AuthUser; branch: string; body: z.infer<S> }) => Promise<Record<string, unknown>>,
): Promise<Response> {
  const d = deps();
  const refusal = crossSiteRefusal({ request, publicUrl: d.config.web.publicUrl });
  if (refusal) return refusal;
  const user = await routeViewer({ sessions: d.sessions, request });
  if (!user) return unauthorizedResponse();
  const text = await request.text();
  if (text.length > MAX_BODY) return errorJson(413, "invalid_input", "The request body is too large.");
  let json: unknown;
  try {
    json = JSON.parse(text || "{}");
  } catch {
    return errorJson(400, "invalid_input", "The request body is not JSON.");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return errorJson(400, "invalid_input", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  const { slug, branch } = await params;
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    return Response.json(await act({ access, user, branch: safeDecode(branch), body: parsed.data }), {
      headers: { "cache-control": "no-store" },
    });
  } catch (e) {
    const reason = isDomainError(e) ? e.details?.reason : undefined;
    if (isDomainError(e) && (reason === "merge_conflict" || reason === "confirmation_required")) {
      const files = Array.isArray(e.details?.files) ? e.details.files : undefined;
      return Response.json(
        { error: { code: e.code, message: e.message, reason, ...(files ? { files } : {}) } },
        { status: 409, headers: { "cache-control": "no-store" } },
      );
    }
    if (isDomainError(e)) return accessErrorResponse(e);
    console.error(`Slipway web: branch change failed: ${(e as Error).stack ?? e}`);
    return errorJson(500, "internal", "The change failed (database, Redis or Git unreachable?). Try again shortly.");
  }
}

/** Next hands dynamic segments over decoded; a name with an encoded "/" may arrive encoded once more. */
function safeDecode(segment: string): string {
  try {
    return segment.includes("%") ? decodeURIComponent(segment) : segment;
  } catch {
    return segment;
  }
}
