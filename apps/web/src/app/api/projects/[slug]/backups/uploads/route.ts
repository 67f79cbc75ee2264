import { errorJson } from "@/server/access";
import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute } from "@/server/backups/backup-route";
import { receiveUpload } from "@/server/backups/receive-upload";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

/**
 * A database to import into `?branch=<name>`, sent as the raw request body (the browser's
 * XMLHttpRequest shows upload progress); streamed to disk with the size limit enforced.
 */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  return backupRoute(
    request,
    params,
    async ({ access, user }) => {
      const branch = new URL(request.url).searchParams.get("branch");
      if (!branch) return errorJson(400, "invalid_input", "Name the branch: ?branch=<name>.");
      const result = await receiveUpload(backupDeps(), { access, user, branchName: branch, request });
      if (!result.ok) return errorJson(result.status, "invalid_input", result.message);
      return { upload: result.upload, sizeBytes: result.sizeBytes };
    },
    { status: 201 },
  );
}
