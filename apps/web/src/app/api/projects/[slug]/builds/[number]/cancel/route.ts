import { enqueue, publishProjectNotice } from "@slipway/queue";
import { buildActionRoute, type BuildRouteParams } from "@/server/access/build-action-route";
import { cancelBuild } from "@/server/builds/cancel-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/** Cancel this build while it is in progress; gated as a branch change of its stage. */
export function POST(request: Request, context: BuildRouteParams): Promise<Response> {
  return buildActionRoute(request, context, "status", async ({ access, build, userId }) => {
    const d = deps();
    await cancelBuild(
      {
        prisma: d.prisma,
        enqueueCancel: (buildId) => enqueue(d.queues, "build.cancel", { buildId }).then(() => undefined),
        notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "build" }),
      },
      { access, buildId: build.id, actorId: userId },
    );
    return { cancelRequested: true };
  });
}
