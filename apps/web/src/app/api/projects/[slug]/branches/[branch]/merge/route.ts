import { enqueue, publishProjectNotice } from "@slipway/queue";
import { z } from "zod";
import { branchRoute, type BranchRouteParams } from "@/server/branches/branch-route";
import { mergeBranch } from "@/server/branches/merge-branch";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

const body = z.strictObject({ into: z.string().min(1).max(250), confirm: z.boolean().optional() });

/**
 * Merges the branch into `into` and pushes it (drop one branch onto another). 409 with
 * reason "merge_conflict" and the files on a conflict (nothing pushed), or "confirmation_required"
 * with the warning to confirm (then resend with confirm: true).
 */
export async function POST(request: Request, context: BranchRouteParams): Promise<Response> {
  return branchRoute(request, context, body, async ({ access, user, branch, body }) => {
    const d = deps();
    const { plan, outcome } = await mergeBranch(
      {
        prisma: d.prisma,
        home: d.config.home,
        enqueuePoll: (projectId) => enqueue(d.queues, "branch.poll", { projectId }).then(() => undefined),
        notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "branch" }),
      },
      { access, source: branch, into: body.into, confirmed: body.confirm === true, actor: user },
    );
    return { plan, outcome };
  });
}
