import { api, type DockerEngine } from "./engine";
import { engineCall } from "./errors";

export interface ContainerStats {
  /** Percent of one CPU (200 = two full cores), like `docker stats`. */
  cpuPercent: number;
  /** Memory in use without the page cache, like `docker stats`. */
  memoryBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  pids: number;
  networkRxBytes: number;
  networkTxBytes: number;
}

/** The subset of the engine's stats JSON we read (cgroup v1 and v2 fields). */
export interface RawStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/** Same arithmetic as the docker CLI (cli/command/container/stats_helpers.go). */
export function computeStats(raw: RawStats): ContainerStats {
  const cpu = raw.cpu_stats ?? {};
  const pre = raw.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const mem = raw.memory_stats ?? {};
  const s = mem.stats ?? {};
  // cgroup v1: total_inactive_file; v2: inactive_file.
  const cache = s.total_inactive_file ?? s.inactive_file ?? 0;
  const usage = mem.usage ?? 0;
  const memoryBytes = cache < usage ? usage - cache : usage;
  const memoryLimitBytes = mem.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return {
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    memoryBytes,
    memoryLimitBytes,
    memoryPercent: memoryLimitBytes > 0 ? Math.round((memoryBytes / memoryLimitBytes) * 10000) / 100 : 0,
    pids: raw.pids_stats?.current ?? 0,
    networkRxBytes: rx,
    networkTxBytes: tx,
  };
}

/** One sample (the engine takes two readings about a second apart to compute the CPU share). */
export async function containerStats(options: { docker: DockerEngine; id: string }): Promise<ContainerStats> {
  const raw = await engineCall(`stats of ${options.id}`, () => api(options.docker).getContainer(options.id).stats({ stream: false }));
  return computeStats(raw as unknown as RawStats);
}
