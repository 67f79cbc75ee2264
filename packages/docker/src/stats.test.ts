import { describe, expect, it } from "vitest";
import { computeStats } from "./stats";

describe("computeStats", () => {
  it("computes CPU share across cores and memory without the page cache (cgroup v1)", () => {
    const s = computeStats({
      cpu_stats: { cpu_usage: { total_usage: 3_000 }, system_cpu_usage: 20_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000 }, system_cpu_usage: 10_000 },
      memory_stats: { usage: 300, limit: 1000, stats: { total_inactive_file: 100 } },
      pids_stats: { current: 7 },
      networks: { eth0: { rx_bytes: 5, tx_bytes: 6 }, eth1: { rx_bytes: 1, tx_bytes: 1 } },
    });
    expect(s).toEqual({
      cpuPercent: 40,
      memoryBytes: 200,
      memoryLimitBytes: 1000,
      memoryPercent: 20,
      pids: 7,
      networkRxBytes: 6,
      networkTxBytes: 7,
    });
  });

  it("reports zero CPU when there is no previous sample (stopped container)", () => {
    const s = computeStats({ cpu_stats: {}, precpu_stats: {}, memory_stats: {} });
    expect(s.cpuPercent).toBe(0);
    expect(s.memoryBytes).toBe(0);
  });
});
