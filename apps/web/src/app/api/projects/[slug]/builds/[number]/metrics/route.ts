import { bucketMetrics, monitorRanges, parseMonitorRange, type MetricSample } from "@slipway/domain";
import { buildToolForRoute, type RouteParams } from "@/server/build-tools/route-build";
import { deps } from "@/server/deps";

export const dynamic = "force-dynamic";

const num = (v: bigint | number | null) => (v === null ? null : Number(v));

/** Monitor series of the build over `range` (1h | 24h | 7d), thinned to chart points. */
export async function GET(request: Request, { params }: RouteParams): Promise<Response> {
  const auth = await buildToolForRoute({ request, params, tool: "monitor" });
  if (!auth.ok) return auth.response;
  const range = parseMonitorRange(new URL(request.url).searchParams.get("range"));
  const to = Date.now();
  const from = to - monitorRanges[range].ms;
  const rows = await deps().prisma.metric.findMany({
    where: { buildId: auth.build.id, at: { gte: new Date(from) } },
    orderBy: { at: "asc" },
  });
  const samples: MetricSample[] = rows.map((r) => ({
    at: r.at.getTime(),
    cpuPercent: r.cpuPercent,
    memoryBytes: num(r.memoryBytes),
    dbCpuPercent: r.dbCpuPercent,
    dbMemoryBytes: num(r.dbMemoryBytes),
    filestoreBytes: num(r.filestoreBytes),
    databaseBytes: num(r.databaseBytes),
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
            memoryLimitBytes: num(last.memoryLimitBytes),
            dbConnections: last.dbConnections,
            pgConnections: last.pgConnections,
          }
        : null,
    },
    { headers: { "cache-control": "no-store" } },
  );
}
