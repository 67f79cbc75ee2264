import { accessErrorResponse, loadProjectAccess, routeViewer } from "@/server/access";
import { clientIp } from "@/server/auth/session-cookie";
import { deps } from "@/server/deps";
import { eventStreamSlots, projectEventStream, projectNoticeHub } from "@/server/projects/project-events";

export const dynamic = "force-dynamic";

/**
 * Live notices of a project (Server-Sent Events) for its pages, which refresh on each one. Open to
 * whoever may see the builds page (view_project: collaborators, visitors of a public project).
 * Every stream of the process shares one Redis subscriber; one client address holds at most
 * SLIPWAY_EVENT_STREAMS_PER_ADDRESS streams at once (429 beyond; issue 12, M3).
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
  const address = clientIp(request.headers, d.config.trustedProxies);
  const release = eventStreamSlots(d.config.eventStreamsPerAddress).acquire(address);
  if (!release) {
    return Response.json(
      {
        error: {
          code: "rate_limited",
          message: `Too many live-update streams are open from your address (at most ${d.config.eventStreamsPerAddress}); close some tabs.`,
        },
      },
      { status: 429, headers: { "retry-after": "30", "cache-control": "no-store" } },
    );
  }
  const stream = projectEventStream({ hub: projectNoticeHub(d.config.redisUrl), projectId, signal: request.signal, onClose: release });
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
