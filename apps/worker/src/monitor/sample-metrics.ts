import path from "node:path";
import { deleteMetricsBefore, insertMetricSample, listRunningServers } from "@slipway/db";
import { containerStats, execCommand, inspectContainer, type ContainerStats } from "@slipway/docker";
import { databaseShare, METRIC_RETENTION_MS } from "@slipway/domain";
import { buildWorkspace } from "../builds/workspace";
import type { WorkerDeps } from "../deps";
import { postgresFor } from "../odoo/staging-clones";
import { cloneContainerName, databaseSize, withClient, type ManagedPostgres } from "../postgres";
import type { RequestLogReader } from "./request-log-reader";

/** Sizes are walked less often than CPU is read: `du` on a large filestore is not free. */
export const STORAGE_EVERY_MS = 5 * 60_000;

export interface MonitorState {
  reader: RequestLogReader;
  /** Last storage reading per build, reused between walks. */
  storage: Map<string, { at: number; filestoreBytes: number | null; databaseBytes: number | null }>;
}

type Deps = Pick<WorkerDeps, "prisma" | "docker" | "postgres" | "logger" | "config">;

const big = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? null : BigInt(Math.round(n)));

async function filestoreBytes(deps: Deps, containerId: string, databaseName: string): Promise<number | null> {
  // Inside the server container: its data volume is mounted there, no helper container needed.
  const r = await execCommand({
    docker: deps.docker,
    id: containerId,
    cmd: ["du", "-sk", `/var/lib/odoo/filestore/${databaseName}`],
    user: "odoo",
    timeoutMs: 60_000,
  });
  const kib = /^(\d+)\s/.exec(r.stdout)?.[1];
  if (kib) return Number(kib) * 1024;
  return /No such file/.test(r.stderr) ? 0 : null;
}

/** Connections per database on the shared server, and the server's total. */
async function connectionsByDatabase(deps: Deps): Promise<{ byDatabase: Map<string, number>; total: number } | null> {
  try {
    const pg = await deps.postgres();
    return await withClient({ pg }, async (c) => {
      const res = await c.query<{ datname: string | null; n: string }>(
        "SELECT datname, count(*)::text AS n FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY datname",
      );
      const byDatabase = new Map(res.rows.filter((r) => r.datname).map((r) => [r.datname as string, Number(r.n)]));
      return { byDatabase, total: [...byDatabase.values()].reduce((a, b) => a + b, 0) };
    });
  } catch {
    return null;
  }
}

/**
 * A staging database in a cluster of its own (ADR 0009): that cluster's container is the database's
 * whole share (CPU, memory, connections); null for a database on the shared server.
 */
async function ownCluster(
  deps: Deps,
  database: string,
): Promise<{ pg: ManagedPostgres; stats: ContainerStats | null; connections: number } | null> {
  const info = await inspectContainer({ docker: deps.docker, id: cloneContainerName(database) });
  if (!info?.running) return null;
  const pg = await postgresFor(deps, database);
  const stats = await containerStats({ docker: deps.docker, id: info.id }).catch(() => null);
  const connections = await withClient({ pg }, async (c) =>
    Number(
      (
        await c.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = $1",
          [database],
        )
      ).rows[0]?.n ?? 0,
    ),
  );
  return { pg, stats, connections };
}

/**
 * One Monitor tick: a sample per running build of this control plane (container CPU/memory, the
 * database's share of the shared PostgreSQL, storage, HTTP requests from odoo.log), stored as
 * Metric rows; old samples are deleted. A build whose container cannot be read is skipped.
 */
export async function sampleMetrics(options: {
  deps: Deps;
  state: MonitorState;
  now?: Date;
}): Promise<{ sampled: number; pruned: number }> {
  const { deps, state } = options;
  const now = options.now ?? new Date();
  const builds = await listRunningServers(deps.prisma);
  let pgStats: ContainerStats | null = null;
  const pg = builds.length ? await deps.postgres().catch(() => null) : null;
  if (pg) pgStats = await containerStats({ docker: deps.docker, id: pg.containerName }).catch(() => null);
  const connections = builds.length ? await connectionsByDatabase(deps) : null;

  let sampled = 0;
  for (const b of builds) {
    try {
      const container = await inspectContainer({ docker: deps.docker, id: b.containerName });
      if (!container?.running || container.labels.build !== b.id) continue;
      const logDir = buildWorkspace(deps.config.home, b.id).logs;
      const stats = await containerStats({ docker: deps.docker, id: container.id }).catch(() => null);
      const requests = await state.reader.read(path.join(logDir, "odoo.log"));

      const own = b.databaseName ? await ownCluster(deps, b.databaseName).catch(() => null) : null;
      let storage = state.storage.get(b.id);
      if (!storage || now.getTime() - storage.at >= STORAGE_EVERY_MS) {
        const server = own?.pg ?? pg;
        const databaseBytes = b.databaseName && server ? await databaseSize({ pg: server, name: b.databaseName }).catch(() => null) : null;
        const filestore = b.databaseName ? await filestoreBytes(deps, container.id, b.databaseName).catch(() => null) : null;
        storage = { at: now.getTime(), filestoreBytes: filestore, databaseBytes };
        state.storage.set(b.id, storage);
      }
      const dbConnections = own ? own.connections : b.databaseName ? (connections?.byDatabase.get(b.databaseName) ?? 0) : null;
      const share = own
        ? 1
        : connections && dbConnections !== null
          ? databaseShare({ databaseConnections: dbConnections, totalConnections: connections.total })
          : null;
      const dbStats = own ? own.stats : pgStats;
      await insertMetricSample(deps.prisma, {
        buildId: b.id,
        at: now,
        cpuPercent: stats?.cpuPercent ?? null,
        memoryBytes: big(stats?.memoryBytes),
        memoryLimitBytes: big(stats?.memoryLimitBytes),
        dbCpuPercent: dbStats && share !== null ? Math.round(dbStats.cpuPercent * share * 100) / 100 : null,
        dbMemoryBytes: dbStats && share !== null ? big(dbStats.memoryBytes * share) : null,
        dbConnections,
        pgConnections: own ? own.connections : (connections?.total ?? null),
        filestoreBytes: big(storage.filestoreBytes),
        databaseBytes: big(storage.databaseBytes),
        requests: requests.requests,
        errors: requests.errors,
        avgResponseMs: requests.avgResponseMs,
        maxResponseMs: requests.maxResponseMs,
      });
      sampled++;
    } catch (error) {
      deps.logger.warn({ err: error, buildId: b.id }, "monitor: sample failed");
    }
  }
  const running = new Set(builds.map((b) => b.id));
  for (const id of state.storage.keys()) if (!running.has(id)) state.storage.delete(id);
  const pruned = await deleteMetricsBefore(deps.prisma, new Date(now.getTime() - METRIC_RETENTION_MS));
  return { sampled, pruned };
}
