"use client";

import { useEffect, useState } from "react";
import { SvgChart } from "./svg-chart";

type Range = "1h" | "24h" | "7d";
const RANGES: { value: Range; label: string }[] = [
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
];

interface Point {
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

interface Data {
  from: number;
  to: number;
  points: Point[];
  latest: { at: number; memoryLimitBytes: number | null; dbConnections: number | null; pgConnections: number | null } | null;
}

const bytes = (v: number) =>
  v >= 1024 ** 3
    ? `${(v / 1024 ** 3).toFixed(1)} GiB`
    : v >= 1024 ** 2
      ? `${(v / 1024 ** 2).toFixed(0)} MiB`
      : `${(v / 1024).toFixed(0)} KiB`;
const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
const count = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(v % 1 ? 1 : 0));
const ms = (v: number) => `${v.toFixed(0)} ms`;

/** Monitor tab: a time range selector and SVG charts of the build's samples (refreshed every 30 s). */
export function MonitorCharts({ slug, number }: { slug: string; number: number }) {
  const [range, setRange] = useState<Range>("1h");
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const res = await fetch(`/api/projects/${encodeURIComponent(slug)}/builds/${number}/metrics?range=${range}`);
      if (cancelled) return;
      if (!res.ok) return setError(`Could not load the metrics (HTTP ${res.status}).`);
      setError(null);
      setData((await res.json()) as Data);
    };
    void load();
    const timer = setInterval(() => void load(), 30_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [slug, number, range]);

  const series = (pick: (p: Point) => number | null) => (data?.points ?? []).map((p) => ({ at: p.at, value: pick(p) }));
  const charts = data
    ? [
        {
          title: "CPU",
          info: "Odoo container: percent of one core. Database: the shared PostgreSQL server's CPU, apportioned by this database's share of its connections.",
          format: percent,
          series: [
            { label: "Odoo", colour: "stroke-sky-600 fill-sky-600 bg-sky-600", points: series((p) => p.cpuPercent) },
            {
              label: "PostgreSQL (share)",
              colour: "stroke-violet-600 fill-violet-600 bg-violet-600",
              points: series((p) => p.dbCpuPercent),
            },
          ],
        },
        {
          title: "Memory",
          info: "Odoo container memory without page cache; database: its share of the shared server's memory.",
          format: bytes,
          series: [
            { label: "Odoo", colour: "stroke-sky-600 fill-sky-600 bg-sky-600", points: series((p) => p.memoryBytes) },
            {
              label: "PostgreSQL (share)",
              colour: "stroke-violet-600 fill-violet-600 bg-violet-600",
              points: series((p) => p.dbMemoryBytes),
            },
          ],
        },
        {
          title: "Storage",
          info: "Filestore (attachments) of the build's database, and the database's size with its indexes.",
          format: bytes,
          series: [
            { label: "Filestore", colour: "stroke-emerald-600 fill-emerald-600 bg-emerald-600", points: series((p) => p.filestoreBytes) },
            { label: "Database", colour: "stroke-violet-600 fill-violet-600 bg-violet-600", points: series((p) => p.databaseBytes) },
          ],
        },
        {
          title: "HTTP requests",
          info: "Requests logged by Odoo (odoo.log werkzeug lines) per point; errors are 5xx answers (check odoo.log).",
          format: count,
          series: [
            { label: "Requests", colour: "stroke-sky-600 fill-sky-600 bg-sky-600", points: series((p) => p.requests) },
            { label: "Errors", colour: "stroke-red-600 fill-red-600 bg-red-600", points: series((p) => p.errors) },
          ],
        },
        {
          title: "Average response time",
          info: "Mean response time of the logged requests (SQL time + the rest), in milliseconds.",
          format: ms,
          series: [{ label: "Average", colour: "stroke-amber-600 fill-amber-600 bg-amber-600", points: series((p) => p.avgResponseMs) }],
        },
      ]
    : [];

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button
            key={r.value}
            type="button"
            onClick={() => setRange(r.value)}
            aria-pressed={range === r.value}
            className={`rounded-md border px-2.5 py-1 text-xs font-medium ${range === r.value ? "border-brand-600 bg-brand-600 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
          >
            {r.label}
          </button>
        ))}
        <span className="text-xs text-slate-500">Times in UTC, as in the logs. Sampled every 30 s while the build runs.</span>
        {data?.latest?.pgConnections ? (
          <span className="text-xs text-slate-500">
            Database connections: {data.latest.dbConnections ?? 0} of {data.latest.pgConnections} on the shared server.
          </span>
        ) : null}
      </div>
      {error ? <p className="text-sm text-red-700">{error}</p> : null}
      {data && data.points.length === 0 ? (
        <p className="text-sm text-slate-500">No samples in this range yet (the build must be running).</p>
      ) : null}
      <div className="grid gap-3 lg:grid-cols-2" data-testid="monitor-charts">
        {data
          ? charts.map((c) => (
              <SvgChart key={c.title} title={c.title} info={c.info} series={c.series} from={data.from} to={data.to} format={c.format} />
            ))
          : null}
      </div>
    </div>
  );
}
