import { listBuildMetrics } from "@slipway/db";
import { bucketMetrics, monitorRanges, parseMonitorRange, type MetricSample } from "@slipway/domain";
import { buildToolForRoute, type RouteParams } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

/** Monitor series of the build over `range` (1h | 24h | 7d), thinned to chart points. */
export async function GET(request: Request, { params }: RouteParams): Promise<Response> {
  const auth = await buildToolForRoute({ request, params, tool: "monitor" });
  if (!auth.ok) return auth.response;
  const range = parseMonitorRange(new URL(request.url).searchParams.get("range"));
  const to = Date.now();
  const from = to - monitorRanges[range].ms;
  const rows = await listBuildMetrics(deps().prisma, { buildId: auth.build.id, since: new Date(from) });
  const samples: MetricSample[] = rows.map((r) => ({
    at: r.at.getTime(),
    cpuPercent: r.cpuPercent,
    memoryBytes: r.memoryBytes,
    dbCpuPercent: r.dbCpuPercent,
    dbMemoryBytes: r.dbMemoryBytes,
    filestoreBytes: r.filestoreBytes,
    databaseBytes: r.databaseBytes,
    requests: r.requests,
    errors: r.errors,
    avgResponseMs: r.avgResponseMs,
  }));
  const last = rows.at(-1);
  return Response.json(
    {
      range,
      from,
      to,
      points: bucketMetrics({ samples, range, to }),
      latest: last
        ? {
            at: last.at.getTime(),
            memoryLimitBytes: last.memoryLimitBytes,
            dbConnections: last.dbConnections,
            pgConnections: last.pgConnections,
          }
        : null,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
