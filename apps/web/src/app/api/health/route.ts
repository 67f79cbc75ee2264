import { pingDatabase } from "@slipway/db";
import { readWorkerHeartbeat } from "@slipway/queue";
import { deps } from "@/server/deps";
import { checkHealth, healthStatusCode } from "@/server/health/check-health";

// Never cached or prerendered: every call probes the dependencies. No authentication.
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const { prisma, redis } = deps();
  const report = await checkHealth({
    pingDatabase: () => pingDatabase(prisma),
    pingRedis: () => redis.ping(),
    readHeartbeat: async () => {
      const heartbeat = await readWorkerHeartbeat(redis);
      return heartbeat ? { at: heartbeat.at, pid: heartbeat.pid } : null;
    },
  });
  return Response.json(report, { status: healthStatusCode(report), headers: { "cache-control": "no-store" } });
}
