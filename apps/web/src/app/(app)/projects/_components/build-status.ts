import { isInProgress, stateLabel, type BuildResult, type BuildState } from "@slipway/domain";

const resultLabels: Record<BuildResult, string> = { green: "Green", yellow: "Yellow", red: "Red" };

export const colours = {
  green: "bg-emerald-100 text-emerald-800 ring-emerald-600/20",
  yellow: "bg-amber-100 text-amber-800 ring-amber-600/20",
  red: "bg-red-100 text-red-800 ring-red-600/20",
  grey: "bg-slate-100 text-slate-700 ring-slate-500/20",
} as const;

/** The colour of a build: its result once known, red when it failed without one, grey otherwise. */
export function buildColour(build: { state: BuildState; result: BuildResult | null }): keyof typeof colours {
  if (build.result) return build.result;
  return build.state === "failed" ? "red" : "grey";
}

/** The status text: the state while in progress ("Testing"), then the result ("Green"), else the state. */
export function statusText(build: { state: BuildState; result: BuildResult | null }): string {
  if (isInProgress(build.state) || !build.result) return stateLabel(build.state);
  return build.state === "running" ? resultLabels[build.result] : `${resultLabels[build.result]} · ${stateLabel(build.state)}`;
}
