import { enqueue } from "@slipway/queue";
import { buildActionRoute, type BuildRouteParams } from "@/server/access/build-action-route";
import { clientIp } from "@/server/auth/session-cookie";
import { requestBranchBuild } from "@/server/builds/rebuild-branch";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/**
 * Rebuild the branch of this build at its head as the repository has it now (the worker reads it
 * and queues the build; the answer says the request is queued); gated as a branch change of its stage.
 */
export function POST(request: Request, context: BuildRouteParams): Promise<Response> {
  return buildActionRoute(request, context, "status", async ({ access, build, userId }) => {
    const d = deps();
    const requested = await requestBranchBuild(
      { prisma: d.prisma, enqueueBranchBuild: (job) => enqueue(d.queues, "branch.build", job).then(() => undefined) },
      { access, branchId: build.branchId, actorId: userId, ip: clientIp(request.headers, d.config.trustedProxies) },
    );
    return { requested: { branch: requested.branch } };
  });
}
