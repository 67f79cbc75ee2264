import { enqueueBuildRun, publishProjectNotice } from "@slipway/queue";
import { z } from "zod";
import { branchRoute, type BranchRouteParams } from "@/server/branches/branch-route";
import { moveBranchStage } from "@/server/branches/move-branch-stage";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

const body = z.strictObject({ stage: z.enum(["production", "staging", "development"]) });

/**
 * Moves the branch under another stage (docs/product/stages-and-branches.md) and, for staging and
 * production, starts the new stage's build (`build`: its number, or null); refusals are 400/409 with the reason.
 */
export async function POST(request: Request, context: BranchRouteParams): Promise<Response> {
  return branchRoute(request, context, body, async ({ access, user, branch, body }) => {
    const d = deps();
    const { plan, build } = await moveBranchStage(
      {
        prisma: d.prisma,
        enqueueBuild: (buildId) => enqueueBuildRun(d.queues, buildId).then(() => undefined),
        notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "branch" }),
      },
      { access, branchName: branch, to: body.stage, actor: user },
    );
    return { plan, build };
  });
}
