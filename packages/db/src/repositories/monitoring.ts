// The Monitor's data: the running builds whose server containers it samples (and whose odoo.log it
// follows), the Metric rows it writes each tick, and the deletion of samples past their retention.
import type { Db } from "../client";

/** A running build with a server container (its database name when it has one). */
export interface RunningServer {
  id: string;
  containerName: string;
  databaseName: string | null;
}

export async function listRunningServers(db: Db): Promise<RunningServer[]> {
  const rows = await db.build.findMany({
    where: { state: "running", containerName: { not: null } },
    select: { id: true, containerName: true, databaseName: true },
  });
  return rows.flatMap((r) => (r.containerName === null ? [] : [{ ...r, containerName: r.containerName }]));
}

/** One Monitor sample of a build (null: not measured this time). */
export interface MetricSample {
  buildId: string;
  at: Date;
  cpuPercent: number | null;
  memoryBytes: bigint | null;
  memoryLimitBytes: bigint | null;
  dbCpuPercent: number | null;
  dbMemoryBytes: bigint | null;
  dbConnections: number | null;
  pgConnections: number | null;
  filestoreBytes: bigint | null;
  databaseBytes: bigint | null;
  requests: number;
  errors: number;
  avgResponseMs: number | null;
  maxResponseMs: number | null;
}

export async function insertMetricSample(db: Db, sample: MetricSample): Promise<void> {
  await db.metric.create({ data: sample });
}

/** Deletes the samples taken before `before`; returns how many went. */
export async function deleteMetricsBefore(db: Db, before: Date): Promise<number> {
  const { count } = await db.metric.deleteMany({ where: { at: { lt: before } } });
  return count;
}
