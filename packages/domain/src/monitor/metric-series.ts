/** Time ranges of the Monitor tab, and how samples are thinned out to draw them. */
export const monitorRanges = {
  "1h": { label: "1 hour", ms: 60 * 60_000, buckets: 120 },
  "24h": { label: "24 hours", ms: 24 * 60 * 60_000, buckets: 144 },
  "7d": { label: "7 days", ms: 7 * 24 * 60 * 60_000, buckets: 168 },
} as const;
export type MonitorRange = keyof typeof monitorRanges;

/** Sampling period of the worker, and how long samples are kept (the longest range, plus a day). */
export const METRIC_SAMPLE_INTERVAL_MS = 30_000;
export const METRIC_RETENTION_MS = 8 * 24 * 60 * 60_000;

export function parseMonitorRange(value: string | null | undefined): MonitorRange {
  return value && Object.hasOwn(monitorRanges, value) ? (value as MonitorRange) : "1h";
}

/** One stored sample (numbers only; nulls where the value could not be read). */
export interface MetricSample {
  at: number;
  cpuPercent: number | null;
  memoryBytes: number | null;
  dbCpuPercent: number | null;
  dbMemoryBytes: number | null;
  filestoreBytes: number | null;
  databaseBytes: number | null;
  requests: number;
  errors: number;
  avgResponseMs: number | null;
}

export type MetricPoint = MetricSample;

/**
 * Thins samples into at most `buckets` points over [to - range, to]: gauges (CPU, memory, sizes)
 * are averaged, counters (requests, errors) summed, the response time weighted by requests. Empty
 * buckets give no point, so charts show gaps instead of invented zeros.
 */
export function bucketMetrics(options: { samples: readonly MetricSample[]; range: MonitorRange; to: number }): MetricPoint[] {
  const { ms, buckets } = monitorRanges[options.range];
  const from = options.to - ms;
  const width = ms / buckets;
  const groups = new Map<number, MetricSample[]>();
  for (const s of options.samples) {
    if (s.at < from || s.at > options.to) continue;
    const i = Math.min(buckets - 1, Math.floor((s.at - from) / width));
    const g = groups.get(i);
    if (g) g.push(s);
    else groups.set(i, [s]);
  }
  const mean = (values: (number | null)[]) => {
    const v = values.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, g]) => {
      const requests = g.reduce((a, s) => a + s.requests, 0);
      const timed = g.filter((s) => s.avgResponseMs !== null && s.requests > 0);
      const timedRequests = timed.reduce((a, s) => a + s.requests, 0);
      return {
        at: Math.round(from + (i + 0.5) * width),
        cpuPercent: mean(g.map((s) => s.cpuPercent)),
        memoryBytes: mean(g.map((s) => s.memoryBytes)),
        dbCpuPercent: mean(g.map((s) => s.dbCpuPercent)),
        dbMemoryBytes: mean(g.map((s) => s.dbMemoryBytes)),
        filestoreBytes: mean(g.map((s) => s.filestoreBytes)),
        databaseBytes: mean(g.map((s) => s.databaseBytes)),
        requests,
        errors: g.reduce((a, s) => a + s.errors, 0),
        avgResponseMs: timedRequests ? timed.reduce((a, s) => a + (s.avgResponseMs as number) * s.requests, 0) / timedRequests : null,
      };
    });
}

/**
 * The share of the shared PostgreSQL server attributed to one database: its share of the
 * server's connections (0 when the server has none). The server is shared by every build, so its
 * CPU and memory are apportioned rather than shown whole.
 */
export function databaseShare(options: { databaseConnections: number; totalConnections: number }): number {
  const { databaseConnections, totalConnections } = options;
  if (totalConnections <= 0 || databaseConnections <= 0) return 0;
  return Math.min(1, databaseConnections / totalConnections);
}
