import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute } from "@/server/backups/backup-route";
import { discardUpload, uploadStatus } from "@/server/backups/confirm-import";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; upload: string }> };

/** The validation verdict of an upload: checking, valid (what it holds) or invalid (why). */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { upload } = await params;
  return backupRoute(request, params, ({ access }) => uploadStatus(backupDeps(), { access, upload }));
}

/** Drops an upload the user will not import. */
export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { upload } = await params;
  return backupRoute(request, params, ({ access, user }) => discardUpload(backupDeps(), { access, user, upload }));
}
