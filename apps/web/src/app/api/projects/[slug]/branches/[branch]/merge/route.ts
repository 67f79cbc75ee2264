import { enqueue } from "@slipway/queue";
import { z } from "zod";
import { accessErrorResponse, errorJson, loadProjectAccess, routeViewer, unauthorizedResponse } from "@/server/access";
import { branchRoute, type BranchRouteParams } from "@/server/branches/branch-route";
import { mergeBranch, readMergeStatus } from "@/server/branches/merge-branch";
import { deps } from "@/server/deps";
import { isDomainError } from "@slipway/domain";

export const dynamic = "force-dynamic";

const body = z.strictObject({ into: z.string().min(1).max(250), confirm: z.boolean().optional() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const noStore = { "cache-control": "no-store" };

/**
 * Starts merging the branch into `into` (drop one branch onto another): checks the role, then
 * queues the worker's merge job and answers { plan, mergeId, state: "started" }. 409 with reason
 * "confirmation_required" and the warning to confirm (then resend with confirm: true). How the
 * merge ended is read with GET ?id=<mergeId>.
 */
export async function POST(request: Request, context: BranchRouteParams): Promise<Response> {
  return branchRoute(request, context, body, async ({ access, user, branch, body }) => {
    const d = deps();
    return mergeBranch(
      { prisma: d.prisma, enqueueMerge: (payload) => enqueue(d.queues, "branch.merge", payload).then(() => undefined) },
      { access, source: branch, into: body.into, confirmed: body.confirm === true, actor: user },
    );
  });
}

/**
 * How the merge `?id=` ended: 202 { state: "pending" } while the worker runs it, 200
 * { state: "done", outcome } (merged with its revision, or up to date), 409 with reason
 * "merge_conflict" and the files on a conflict (nothing pushed), 502 when git failed.
 */
export async function GET(request: Request, { params }: BranchRouteParams): Promise<Response> {
  const d = deps();
  const user = await routeViewer({ sessions: d.sessions, request });
  if (!user) return unauthorizedResponse();
  const mergeId = new URL(request.url).searchParams.get("id") ?? "";
  if (!UUID.test(mergeId)) return errorJson(400, "invalid_input", "id: not a merge id");
  try {
    const access = await loadProjectAccess({ prisma: d.prisma, user, slug: (await params).slug });
    const status = await readMergeStatus({ prisma: d.prisma }, { access, mergeId });
    return Response.json(status, { status: status.state === "pending" ? 202 : 200, headers: noStore });
  } catch (e) {
    if (isDomainError(e, "conflict") && e.details?.reason === "merge_conflict") {
      const files = Array.isArray(e.details.files) ? e.details.files : [];
      return Response.json(
        { error: { code: e.code, message: e.message, reason: "merge_conflict", files } },
        { status: 409, headers: noStore },
      );
    }
    return accessErrorResponse(e);
  }
}
