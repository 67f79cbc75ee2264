import { z } from "zod";
import { errorJson } from "@/server/access";
import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute, jsonBody } from "@/server/backups/backup-route";
import { listBackups } from "@/server/backups/list-backups";
import { requestManualBackup } from "@/server/backups/manual-backup";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

/** A branch's backups (`?branch=<name>`): the "backups" cell of its stage. */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  return backupRoute(request, params, async ({ access }) => {
    const branch = new URL(request.url).searchParams.get("branch");
    if (!branch) return errorJson(400, "invalid_input", "Name the branch: ?branch=<name>.");
    return { ...(await listBackups(backupDeps(), { access, branchName: branch })) };
  });
}

const manual = z.strictObject({ branch: z.string().min(1).max(255) });

/** "Backup now": a manual backup of a production or staging branch (5 per day), queued for the worker. */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  return backupRoute(
    request,
    params,
    async ({ access, user }) => {
      const body = await jsonBody(request, manual);
      if (!body.ok) return body.response;
      return requestManualBackup(backupDeps(), { access, user, branchName: body.body.branch });
    },
    { status: 202 },
  );
}
