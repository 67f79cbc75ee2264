// Read model of the Monitor tab: a build's metric samples since a moment, oldest first, with the
// byte counters as numbers (far below 2^53).
import type { Db } from "../client";

export interface BuildMetricRow {
  at: Date;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  dbCpuPercent: number | null;
  dbMemoryBytes: number | null;
  filestoreBytes: number | null;
  databaseBytes: number | null;
  dbConnections: number | null;
  pgConnections: number | null;
  requests: number;
  errors: number;
  avgResponseMs: number | null;
}

const num = (v: bigint | number | null) => (v === null ? null : Number(v));

export async function listBuildMetrics(db: Db, { buildId, since }: { buildId: string; since: Date }): Promise<BuildMetricRow[]> {
  const rows = await db.metric.findMany({ where: { buildId, at: { gte: since } }, orderBy: { at: "asc" } });
  return rows.map((r) => ({
    at: r.at,
    cpuPercent: r.cpuPercent,
    memoryBytes: num(r.memoryBytes),
    memoryLimitBytes: num(r.memoryLimitBytes),
    dbCpuPercent: r.dbCpuPercent,
    dbMemoryBytes: num(r.dbMemoryBytes),
    filestoreBytes: num(r.filestoreBytes),
    databaseBytes: num(r.databaseBytes),
    dbConnections: r.dbConnections,
    pgConnections: r.pgConnections,
    requests: r.requests,
    errors: r.errors,
    avgResponseMs: r.avgResponseMs,
  }));
}
