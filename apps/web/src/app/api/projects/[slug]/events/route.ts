import { httpStatusFor, isDomainError } from "@slipway/domain";
import { deps } from "../../../../../server/deps";
import { loadProjectAccess } from "../../../../../server/projects/project-access";
import { projectEventStream } from "../../../../../server/projects/project-events";
import { userFromRequest } from "../../../../../server/projects/request-user";

export const dynamic = "force-dynamic";

/** Live notices of a project (Server-Sent Events) for its pages, which refresh on each one. */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  const d = deps();
  const user = await userFromRequest({ sessions: d.sessions, request });
  if (!user) return Response.json({ error: { code: "unauthorized", message: "Sign in first." } }, { status: 401 });
  let projectId: string;
  try {
    projectId = (await loadProjectAccess({ prisma: d.prisma, user, slug: (await params).slug })).project.id;
  } catch (e) {
    if (isDomainError(e)) return Response.json({ error: { code: e.code, message: e.message } }, { status: httpStatusFor(e.code) });
    throw e;
  }
  const stream = projectEventStream({ redisUrl: d.config.redisUrl, projectId, signal: request.signal });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // Tells a buffering reverse proxy (nginx) to pass events through at once.
      "x-accel-buffering": "no",
    },
  });
}
