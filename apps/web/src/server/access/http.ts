import type { AuthUser, SessionRepository } from "@slipway/db";
import { isDomainError, type DomainErrorCode } from "@slipway/domain";
import { userFromRequest } from "../projects/request-user";
import { SIGN_IN_REASON } from "./project-access";

const httpStatuses: Record<DomainErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  invalid_state: 409,
  invalid_input: 400,
  upstream_failed: 502,
};

/** The HTTP status a route answers with for a domain error code (the one place they are mapped). */
export function httpStatusFor(code: DomainErrorCode): number {
  return httpStatuses[code];
}

/** The error body every JSON route answers with. */
export function errorJson(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "cache-control": "no-store" } });
}

export const unauthorizedResponse = (): Response => errorJson(401, "unauthorized", "Sign in first.");

/**
 * The HTTP answer of a route handler for an error thrown by the access module or a use case:
 * DomainError → its status (403 forbidden, 404 not found, …), an anonymous viewer of a project
 * they cannot see → 401. Anything else is rethrown (a real 500).
 */
export function accessErrorResponse(error: unknown): Response {
  if (!isDomainError(error)) throw error;
  if (error.code === "not_found" && error.details?.reason === SIGN_IN_REASON) return unauthorizedResponse();
  return errorJson(httpStatusFor(error.code), error.code, error.message);
}

/** The signed-in user of a route handler's request, or null (anonymous visitors are allowed to ask). */
export function routeViewer(options: { sessions: SessionRepository; request: Request }): Promise<AuthUser | null> {
  return userFromRequest(options);
}

/**
 * CSRF check of our own state-changing route handlers (server actions have Next's Origin check;
 * signed webhooks are exempt): the request must come from the panel's own origin. Browsers send
 * Origin on every POST, and Sec-Fetch-Site; a request with neither is not from a browser page
 * (curl, CLI) and carries no ambient cookie risk only if it has no cookie, so it is refused too
 * when it carries one.
 */
export function crossSiteRefusal(options: { request: Request; publicUrl: string }): Response | null {
  const { request, publicUrl } = options;
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return null;
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const expected = new URL(publicUrl).origin;
  if (origin !== null) return origin === expected ? null : errorJson(403, "forbidden", "Cross-site request refused.");
  if (site !== null) return site === "same-origin" || site === "none" ? null : errorJson(403, "forbidden", "Cross-site request refused.");
  if (request.headers.get("cookie")) return errorJson(403, "forbidden", "Cross-site request refused (no Origin header).");
  return null;
}
