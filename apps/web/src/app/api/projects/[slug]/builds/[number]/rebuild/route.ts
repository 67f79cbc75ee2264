import { publishProjectNotice } from "@slipway/queue";
import { buildActionRoute, type BuildRouteParams } from "@/server/access/build-action-route";
import { rebuildBranch } from "@/server/builds/rebuild-branch";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/** Rebuild the branch of this build (its head revision); gated as a branch change of its stage. */
export function POST(request: Request, context: BuildRouteParams): Promise<Response> {
  return buildActionRoute(request, context, "status", async ({ access, build, userId }) => {
    const d = deps();
    const queued = await rebuildBranch(
      { prisma: d.prisma, enqueueBuild: d.enqueueBuild, notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "build" }) },
      { access, branchId: build.branchId, actorId: userId },
    );
    return { build: queued };
  });
}
