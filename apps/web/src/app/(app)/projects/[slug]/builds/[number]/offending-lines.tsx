interface OffendingLine {
  step?: string;
  level?: string;
  line?: number;
  text?: string;
}

const levelColours: Record<string, string> = {
  WARNING: "text-amber-300",
  ERROR: "text-red-300",
  CRITICAL: "text-red-400",
  TRACEBACK: "text-red-300",
};

/** The log lines that made a build yellow or red (recorded by the worker's classifier). */
export function OffendingLines({ lines }: { lines: unknown }) {
  const list = (Array.isArray(lines) ? lines : []) as OffendingLine[];
  if (list.length === 0)
    return <p className="text-sm text-slate-500">No offending line was recorded; see the failure reason and the logs.</p>;
  return (
    <div className="overflow-x-auto rounded-lg bg-slate-900 p-3" data-testid="offending-lines">
      <pre className="font-mono text-xs leading-relaxed text-slate-100">
        {list.map((l, i) => (
          <div key={i} className="whitespace-pre-wrap break-words py-0.5">
            <span className="text-slate-400">
              [{l.step ?? "?"}
              {l.line ? `:${l.line}` : ""}]{" "}
            </span>
            <span className={levelColours[l.level ?? ""] ?? "text-slate-300"}>{l.level ?? ""}</span> {l.text ?? ""}
          </div>
        ))}
      </pre>
    </div>
  );
}
