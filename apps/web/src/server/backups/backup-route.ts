import type { AuthUser } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import type { z } from "zod";
import { accessErrorResponse, crossSiteRefusal, errorJson, loadProjectAccess, routeViewer, type ProjectAccess } from "../access";
import { readBodyText } from "../access/read-body";
import { deps } from "../deps";

const MAX_JSON = 16 * 1024;

export interface BackupRouteContext {
  access: ProjectAccess;
  /** Null for an anonymous visitor (read-only routes; the matrix refuses them every backup cell anyway). */
  user: AuthUser | null;
  request: Request;
}

/**
 * The edge of the Backups tab's route handlers: same-origin check for state changes (CSRF), the
 * viewer from the session cookie (state changes need a signed-in user), the project as that viewer
 * may see it; the handler then checks the "backups" cell of the branch's stage. DomainErrors become
 * JSON refusals with their status (401/403/404/409/400); `act` may return a Response (streams).
 * State changes need a signed-in user: use cases call `signedIn` AFTER the matrix check, so a
 * visitor of a public project is told it is forbidden (403) like every other refused cell.
 */
export async function backupRoute(
  request: Request,
  params: Promise<{ slug: string }>,
  act: (ctx: BackupRouteContext) => Promise<Response | Record<string, unknown>>,
  options: { status?: number } = {},
): Promise<Response> {
  const d = deps();
  const refusal = crossSiteRefusal({ request, publicUrl: d.config.web.publicUrl });
  if (refusal) return refusal;
  try {
    const user = await routeViewer({ sessions: d.sessions, request });
    const { slug } = await params;
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug });
    const result = await act({ access, user, request });
    if (result instanceof Response) return result;
    return Response.json(result, { status: options.status ?? 200, headers: { "cache-control": "no-store" } });
  } catch (e) {
    if (isDomainError(e)) return accessErrorResponse(e);
    console.error(`Slipway web: backup request failed: ${(e as Error).stack ?? String(e)}`);
    return errorJson(500, "internal", "The request failed (database, Redis or the backup store unreachable?). Try again shortly.");
  }
}

/**
 * A small JSON body (at most 16 KiB, counted while reading) validated by `schema`, or the 400/413
 * Response to send. Called from `act`, so after the viewer and the project are authorized.
 */
export async function jsonBody<S extends z.ZodType>(
  request: Request,
  schema: S,
): Promise<{ ok: true; body: z.infer<S> } | { ok: false; response: Response }> {
  const read = await readBodyText(request, MAX_JSON);
  if (!read.ok) return { ok: false, response: errorJson(413, "invalid_input", "The request body is too large.") };
  let json: unknown;
  try {
    json = JSON.parse(read.text || "{}");
  } catch {
    return { ok: false, response: errorJson(400, "invalid_input", "The request body is not JSON.") };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      response: errorJson(400, "invalid_input", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")),
    };
  return { ok: true, body: parsed.data };
}
