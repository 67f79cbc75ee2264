import { describe, expect, it } from "vitest";
import { bucketMetrics, databaseShare, monitorRanges, parseMonitorRange, type MetricSample } from "./metric-series";

const sample = (at: number, over: Partial<MetricSample> = {}): MetricSample => ({
  at,
  cpuPercent: 10,
  memoryBytes: 100,
  dbCpuPercent: null,
  dbMemoryBytes: null,
  filestoreBytes: 5,
  databaseBytes: 7,
  requests: 0,
  errors: 0,
  avgResponseMs: null,
  ...over,
});

describe("monitor ranges", () => {
  it("defaults to one hour and accepts the three ranges only", () => {
    expect(parseMonitorRange(null)).toBe("1h");
    expect(parseMonitorRange("24h")).toBe("24h");
    expect(parseMonitorRange("7d")).toBe("7d");
    expect(parseMonitorRange("constructor")).toBe("1h");
  });
});

describe("bucketMetrics", () => {
  const to = 10_000_000;
  const width = monitorRanges["1h"].ms / monitorRanges["1h"].buckets; // 30 s

  it("averages gauges, sums counters and weights the response time by requests", () => {
    const at = to - width / 2 - 1;
    const points = bucketMetrics({
      range: "1h",
      to,
      samples: [
        sample(at, { cpuPercent: 10, requests: 1, avgResponseMs: 100, errors: 1 }),
        sample(at - 1, { cpuPercent: 30, memoryBytes: null, requests: 3, avgResponseMs: 20 }),
      ],
    });
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ cpuPercent: 20, memoryBytes: 100, requests: 4, errors: 1, avgResponseMs: 40 });
  });

  it("leaves out samples outside the range and empty buckets (gaps, not zeros)", () => {
    const points = bucketMetrics({
      range: "1h",
      to,
      samples: [sample(to - monitorRanges["1h"].ms - 1), sample(to - 10 * width), sample(to - 2 * width)],
    });
    expect(points).toHaveLength(2);
    expect(points[0]!.at).toBeLessThan(points[1]!.at);
  });

  it("never returns more points than buckets", () => {
    const samples = Array.from({ length: 5000 }, (_, i) => sample(to - i * 700));
    expect(bucketMetrics({ range: "1h", to, samples }).length).toBeLessThanOrEqual(monitorRanges["1h"].buckets);
  });
});

describe("databaseShare", () => {
  it("is the share of the server's connections", () => {
    expect(databaseShare({ databaseConnections: 2, totalConnections: 8 })).toBe(0.25);
    expect(databaseShare({ databaseConnections: 0, totalConnections: 8 })).toBe(0);
    expect(databaseShare({ databaseConnections: 3, totalConnections: 0 })).toBe(0);
  });
});
