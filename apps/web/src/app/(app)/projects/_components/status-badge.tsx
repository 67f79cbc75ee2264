import { isInProgress, type BuildResult, type BuildState } from "@slipway/domain";
import { buildColour, colours, statusText } from "./build-status";

/**
 * A build's status. `activity` (what the running step does, e.g. "Taking a snapshot") replaces the
 * state's word while the build is in progress: several steps share one state.
 */
export function StatusBadge({ build, activity }: { build: { state: BuildState; result: BuildResult | null }; activity?: string | null }) {
  const busy = isInProgress(build.state);
  return (
    <span
      data-testid="build-status"
      data-state={build.state}
      data-result={build.result ?? ""}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${colours[buildColour(build)]}`}
    >
      {busy ? <span aria-hidden className="h-1.5 w-1.5 animate-pulse rounded-full bg-current" /> : null}
      {busy && activity ? activity : statusText(build)}
    </span>
  );
}
