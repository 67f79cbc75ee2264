import type { BranchRow } from "@slipway/db";
import type { BuildState } from "@slipway/domain";
import Link from "next/link";
import { StatusBadge } from "../_components/status-badge";

const stages = [
  { key: "production", title: "Production", empty: "No production branch yet." },
  { key: "staging", title: "Staging", empty: "No staging branches." },
  { key: "development", title: "Development", empty: "No development branches yet." },
] as const;

/** Branches view: the three stages and their branches, each with its last build's status. */
export function BranchesView({ slug, byStage }: { slug: string; byStage: Record<BranchRow["stage"], BranchRow[]> }) {
  return (
    <div className="grid gap-4 md:grid-cols-3">
      {stages.map((stage) => (
        <section key={stage.key} aria-labelledby={`stage-${stage.key}`} data-testid={`stage-${stage.key}`} className="rounded-xl border border-slate-200 bg-slate-50 p-3">
          <h2 id={`stage-${stage.key}`} className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-600">
            {stage.title} <span className="font-normal text-slate-400">({byStage[stage.key].length})</span>
          </h2>
          {byStage[stage.key].length === 0 ? (
            <p className="text-xs text-slate-500">{stage.empty}</p>
          ) : (
            <ul className="space-y-2">
              {byStage[stage.key].map((branch) => {
                const last = branch.builds[0];
                return (
                  <li key={branch.id} className="flex items-center justify-between gap-2 rounded-lg border border-slate-200 bg-white px-3 py-2 shadow-sm">
                    <span className="truncate font-mono text-sm text-slate-900">{branch.name}</span>
                    {last ? (
                      <Link href={`/projects/${slug}/builds/${last.number}`} className="shrink-0" aria-label={`Last build of ${branch.name}: #${last.number}`}>
                        <StatusBadge build={{ state: last.state as BuildState, result: last.result }} />
                      </Link>
                    ) : (
                      <span className="text-xs text-slate-400">no build</span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
