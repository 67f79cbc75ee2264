import type { BranchRow } from "@slipway/db";
import { branchChangeTarget, type AccessTarget } from "@slipway/domain";
import { inputClass, secondaryButtonClass } from "../_components/styles";
import { RebuildButton } from "./build-action-buttons";
import { BuildCell } from "./build-cell";

const stageBadge = {
  production: "bg-violet-100 text-violet-800",
  staging: "bg-sky-100 text-sky-800",
  development: "bg-slate-100 text-slate-700",
} as const;

/** Builds view: a row per branch (production first, then by last build), a cell per build. */
export function BuildsView(props: { slug: string; rows: BranchRow[]; query: string; can: (target: AccessTarget) => boolean }) {
  const { slug, rows, query, can } = props;
  return (
    <div className="space-y-4">
      <form method="get" role="search" className="flex max-w-md gap-2">
        <input type="hidden" name="tab" value="builds" />
        <label htmlFor="builds-search" className="sr-only">
          Search branches
        </label>
        <input
          id="builds-search"
          name="q"
          type="search"
          defaultValue={query}
          placeholder="Branch name or commit message"
          className={inputClass}
        />
        <button type="submit" className={secondaryButtonClass}>
          Search
        </button>
      </form>
      {rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-10 text-center text-sm text-slate-600">
          {query
            ? `No branch matches “${query}”.`
            : "No branches yet. Push to the repository (or wait for the first poll) and they appear here."}
        </p>
      ) : (
        <ul className="space-y-3">
          {rows.map((row) => {
            const manage = can(branchChangeTarget([row.stage]));
            return (
              <li key={row.id} data-testid={`branch-row-${row.name}`} className="rounded-xl border border-slate-200 bg-slate-50 p-3">
                <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
                  <div className="flex items-center gap-2">
                    <h3 className="font-mono text-sm font-semibold text-slate-900">{row.name}</h3>
                    <span className={`rounded px-1.5 py-0.5 text-xs ${stageBadge[row.stage]}`}>{row.stage}</span>
                  </div>
                  {manage ? <RebuildButton slug={slug} branchId={row.id} branchName={row.name} /> : null}
                </div>
                {row.builds.length === 0 ? (
                  <p className="text-xs text-slate-500">No builds yet.</p>
                ) : (
                  <div className="flex gap-2 overflow-x-auto pb-1">
                    {row.builds.map((b) => (
                      <BuildCell key={b.id} slug={slug} build={b} canCancel={manage} />
                    ))}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
