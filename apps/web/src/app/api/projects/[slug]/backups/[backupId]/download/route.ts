import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute } from "@/server/backups/backup-route";
import { openDownload, prepareZip } from "@/server/backups/downloads";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; backupId: string }> };

/** The backup as a file: `?format=dump` (pg custom dump) at once, `?format=zip` once prepared. */
export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { backupId } = await params;
  return backupRoute(request, params, async ({ access, user }) => {
    const format = new URL(request.url).searchParams.get("format") === "dump" ? "dump" : "zip";
    return openDownload(backupDeps(), { access, user, backupId, format });
  });
}

/** Asks for the Odoo zip: `ready`, `preparing` (the worker makes it; ask again) or `failed` with why. */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { backupId } = await params;
  return backupRoute(request, params, ({ access, user }) => prepareZip(backupDeps(), { access, user, backupId }));
}
