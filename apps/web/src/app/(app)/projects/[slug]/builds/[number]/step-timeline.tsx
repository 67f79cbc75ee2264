import type { BuildDetail } from "@slipway/db";
import { stepLabel } from "@slipway/domain";
import { elapsed } from "@/app/(app)/projects/_components/format";

const stateStyles = {
  pending: { dot: "bg-slate-300", text: "text-slate-500", label: "Pending" },
  running: { dot: "bg-sky-500 animate-pulse", text: "text-sky-700", label: "Running" },
  succeeded: { dot: "bg-emerald-500", text: "text-emerald-700", label: "Done" },
  failed: { dot: "bg-red-500", text: "text-red-700", label: "Failed" },
  skipped: { dot: "bg-slate-200", text: "text-slate-400", label: "Skipped" },
} as const;

export function StepTimeline({ steps }: { steps: BuildDetail["steps"] }) {
  if (steps.length === 0) return <p className="text-sm text-slate-500">The build has not started yet.</p>;
  return (
    <ol className="space-y-2" data-testid="step-timeline">
      {steps.map((step) => {
        const style = stateStyles[step.state];
        const duration = elapsed(step.startedAt, step.state === "running" ? null : step.finishedAt);
        return (
          <li key={step.id} data-testid={`step-${step.name}`} data-state={step.state} className="flex items-start gap-3">
            <span aria-hidden className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${style.dot}`} />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
                <span className="font-medium text-slate-900">{stepLabel(step.name)}</span>
                <span className={`text-xs ${style.text}`}>
                  {style.label}
                  {duration ? ` · ${duration}` : ""}
                </span>
              </div>
              {step.error ? (
                // A skipped step's reason is information (why it was not needed), not an error.
                <p
                  className={`mt-0.5 break-words text-xs ${step.state === "skipped" ? "text-slate-500" : "text-red-700"}`}
                  data-testid="step-note"
                >
                  {step.error}
                </p>
              ) : null}
              {step.image ? (
                <p className="mt-0.5 text-xs text-slate-500" data-testid="step-image">
                  From the Odoo image <span className="font-mono text-slate-700">{step.image}</span>
                </p>
              ) : null}
              {step.copyMode ? (
                <p className="mt-0.5 break-words text-xs text-slate-500" data-testid="step-copy-mode">
                  {step.copyMode}
                </p>
              ) : null}
              {step.command ? (
                // The Odoo command line the step ran: the branch settings in effect (modules, test tags).
                <code
                  className="mt-1 block break-all rounded bg-slate-50 px-2 py-1 font-mono text-[11px] leading-relaxed text-slate-600"
                  data-testid="step-command"
                >
                  {step.command}
                </code>
              ) : null}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
