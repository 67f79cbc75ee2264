import { z } from "zod";
import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute, jsonBody } from "@/server/backups/backup-route";
import { requestRestore } from "@/server/backups/request-restore";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; backupId: string }> };

const body = z.strictObject({ branch: z.string().min(1).max(255), confirm: z.boolean().optional() });

/** Restores the backup into the production branch or a staging branch (confirmed in the dialog). */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { backupId } = await params;
  return backupRoute(
    request,
    params,
    async ({ access, user }) => {
      const parsed = await jsonBody(request, body);
      if (!parsed.ok) return parsed.response;
      return requestRestore(backupDeps(), {
        access,
        user,
        backupId,
        targetBranch: parsed.body.branch,
        confirm: parsed.body.confirm === true,
      });
    },
    { status: 202 },
  );
}
