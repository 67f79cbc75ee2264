import { publishProjectNotice } from "@slipway/queue";
import { z } from "zod";
import { branchRoute, type BranchRouteParams } from "@/server/branches/branch-route";
import { pinBranch } from "@/server/branches/pin-branch";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

const body = z.strictObject({ pinned: z.boolean() });

/** Pins (or unpins) the branch: the garbage collector keeps a pinned branch's databases. */
export async function POST(request: Request, context: BranchRouteParams): Promise<Response> {
  return branchRoute(request, context, body, async ({ access, user, branch, body }) => {
    const d = deps();
    return pinBranch(
      { prisma: d.prisma, notify: (n) => publishProjectNotice(d.redis, { ...n, kind: "branch" }) },
      { access, branchName: branch, pinned: body.pinned, actor: user },
    );
  });
}
