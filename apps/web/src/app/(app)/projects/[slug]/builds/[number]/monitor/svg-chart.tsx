import { axisTicks } from "./chart-ticks";

export interface ChartSeries {
  label: string;
  /** A Tailwind stroke/fill colour class pair, e.g. "stroke-sky-600 fill-sky-600". */
  colour: string;
  points: { at: number; value: number | null }[];
}

const W = 600;
const H = 160;
const PAD = { left: 56, right: 8, top: 8, bottom: 20 };

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= max) ?? max;
}

/** A help mark drawn in SVG (a font may lack the ⓘ glyph). */
function HelpIcon() {
  return (
    <svg viewBox="0 0 16 16" aria-hidden="true" className="inline-block h-3.5 w-3.5 align-[-2px] text-slate-400">
      <circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" strokeWidth="1.4" />
      <circle cx="8" cy="4.8" r="1" fill="currentColor" />
      <path d="M8 7.2v4.6" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}

/**
 * A small line chart in plain SVG (no chart library): time on x over [from, to], value on y from 0;
 * a gap in the samples is a gap in the line.
 */
export function SvgChart({
  title,
  info,
  series,
  from,
  to,
  format,
}: {
  title: string;
  info: string;
  series: ChartSeries[];
  from: number;
  to: number;
  format: (v: number) => string;
}) {
  const values = series.flatMap((s) => s.points.map((p) => p.value).filter((v): v is number => v !== null));
  const max = niceMax(Math.max(0, ...values));
  const x = (at: number) => PAD.left + ((at - from) / (to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const time = (at: number) =>
    new Date(at)
      .toISOString()
      .slice(to - from > 86_400_000 ? 5 : 11, 16)
      .replace("T", " ");
  const latest = series.map((s) => [...s.points].reverse().find((p) => p.value !== null)?.value ?? null);
  return (
    <figure
      className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm"
      data-testid={`chart-${title.toLowerCase().replace(/\W+/g, "-")}`}
    >
      <figcaption className="mb-1 flex flex-wrap items-baseline gap-x-3 text-sm">
        <span className="font-semibold text-slate-800" title={info}>
          {title}{" "}
          <span className="cursor-help" data-testid="chart-help">
            <HelpIcon />
          </span>
        </span>
        {series.map((s, i) => (
          <span key={s.label} className="text-xs text-slate-600">
            <span className={`mr-1 inline-block h-2 w-2 rounded-full ${s.colour}`} />
            {s.label}: {latest[i] === null || latest[i] === undefined ? "—" : format(latest[i])}
          </span>
        ))}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="h-40 w-full" role="img" aria-label={title}>
        {axisTicks(max, format).map((t) => (
          <g key={t.value} data-testid="chart-tick">
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t.value)} y2={y(t.value)} className="stroke-slate-200" strokeWidth={1} />
            <text x={PAD.left - 4} y={y(t.value) + 3} textAnchor="end" className="fill-slate-500 text-[10px]">
              {t.label}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={H - 4} className="fill-slate-500 text-[10px]">
          {time(from)} UTC
        </text>
        <text x={W - PAD.right} y={H - 4} textAnchor="end" className="fill-slate-500 text-[10px]">
          {time(to)}
        </text>
        {series.map((s) => {
          // Consecutive non-null points make one segment; a null breaks the line.
          const segments: string[] = [];
          let current = "";
          for (const p of s.points) {
            if (p.value === null) {
              if (current) segments.push(current);
              current = "";
              continue;
            }
            current += `${current ? "L" : "M"}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`;
          }
          if (current) segments.push(current);
          return (
            <g key={s.label} className={s.colour}>
              {segments.map((d, i) => (
                <path key={i} d={d} fill="none" strokeWidth={1.5} style={{ fill: "none" }} />
              ))}
              {s.points.length < 40
                ? s.points.map((p) => (p.value === null ? null : <circle key={p.at} cx={x(p.at)} cy={y(p.value)} r={2} />))
                : null}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
