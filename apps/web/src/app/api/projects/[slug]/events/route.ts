import { accessErrorResponse, loadProjectAccess, routeViewer } from "../../../../../server/access";
import { deps } from "../../../../../server/deps";
import { projectEventStream } from "../../../../../server/projects/project-events";

export const dynamic = "force-dynamic";

/**
 * Live notices of a project (Server-Sent Events) for its pages, which refresh on each one. Open to
 * whoever may see the builds page (view_project: collaborators, visitors of a public project).
 */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }): Promise<Response> {
  const d = deps();
  let projectId: string;
  try {
    const user = await routeViewer({ sessions: d.sessions, request });
    projectId = (await loadProjectAccess({ prisma: d.prisma, user, slug: (await params).slug })).project.id;
  } catch (e) {
    return accessErrorResponse(e);
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
