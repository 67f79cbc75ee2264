import { listLogFiles } from "@/server/build-tools/log-files";
import { buildToolForRoute, type RouteParams } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/** The build's log files (name, size, last change), for the Logs tab's file picker. */
export async function GET(request: Request, { params }: RouteParams): Promise<Response> {
  const auth = await buildToolForRoute({ request, params, tool: "logs" });
  if (!auth.ok) return auth.response;
  const files = await listLogFiles({ home: deps().config.home, buildId: auth.build.id });
  return Response.json({ files }, { headers: { "cache-control": "no-store" } });
}
