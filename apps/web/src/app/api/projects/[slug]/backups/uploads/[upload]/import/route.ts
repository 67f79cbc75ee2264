import { z } from "zod";
import { backupDeps } from "@/server/backups/backup-deps";
import { backupRoute, jsonBody } from "@/server/backups/backup-route";
import { confirmImport } from "@/server/backups/confirm-import";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string; upload: string }> };

const body = z.strictObject({ confirmOverwrite: z.boolean().optional() });

/** Imports a validated upload, overwriting its branch: needs `confirmOverwrite: true`. */
export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { upload } = await params;
  return backupRoute(
    request,
    params,
    async ({ access, user }) => {
      const parsed = await jsonBody(request, body);
      if (!parsed.ok) return parsed.response;
      return confirmImport(backupDeps(), { access, user, upload, confirmOverwrite: parsed.body.confirmOverwrite === true });
    },
    { status: 202 },
  );
}
