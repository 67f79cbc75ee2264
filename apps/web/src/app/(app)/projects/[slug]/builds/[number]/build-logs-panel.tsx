import type { BuildLog } from "@/server/builds/read-build-logs";

/** The build's log files, one collapsible block each (tails; the worker keeps the whole files). */
export function BuildLogsPanel({ logs, tailLines }: { logs: BuildLog[]; tailLines: number }) {
  if (logs.length === 0) return <p className="text-sm text-slate-500">No logs yet.</p>;
  return (
    <div className="space-y-2">
      {logs.map((log) => (
        <details key={log.name} className="rounded-lg border border-slate-200 bg-white" data-testid={`log-${log.name}`}>
          <summary className="cursor-pointer px-3 py-2 font-mono text-sm text-slate-800">
            {log.name}{" "}
            <span className="text-xs text-slate-400">
              ({(log.sizeBytes / 1024).toFixed(1)} KiB{log.truncated ? `, last ${tailLines} lines` : ""})
            </span>
          </summary>
          <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-words bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100">
            {log.text || "(empty)"}
          </pre>
        </details>
      ))}
    </div>
  );
}
