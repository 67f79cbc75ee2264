import type { Stage } from "@slipway/domain";

/** What a build tab shows while the branch has no build on its stage (e.g. just moved there). */
export function NoBuild({ stage }: { stage: Stage }) {
  return (
    <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-600" data-testid="branch-no-build">
      This branch has no {stage} build yet: this tab shows its current build once there is one.
    </p>
  );
}
