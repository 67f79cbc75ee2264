import type { BuildCell as BuildCellData } from "@slipway/db";
import { isInProgress } from "@slipway/domain";
import Link from "next/link";
import { StatusBadge } from "../_components/status-badge";
import { CancelButton } from "./build-action-buttons";

const borders = {
  green: "border-l-emerald-500",
  yellow: "border-l-amber-400",
  red: "border-l-red-500",
  grey: "border-l-slate-300",
} as const;

export function BuildCell({ slug, build, canCancel }: { slug: string; build: BuildCellData; canCancel: boolean }) {
  const state = build.state;
  const colour = build.result ?? (state === "failed" ? "red" : "grey");
  return (
    <div
      data-testid={`build-cell-${build.number}`}
      className={`w-56 shrink-0 rounded-lg border border-l-4 border-slate-200 bg-white p-3 shadow-sm ${borders[colour]}`}
    >
      <div className="flex items-center justify-between gap-2">
        <Link href={`/projects/${slug}/builds/${build.number}`} className="text-sm font-semibold text-slate-900 hover:underline">
          #{build.number}
        </Link>
        <StatusBadge build={{ state, result: build.result }} />
      </div>
      <p className="mt-2 font-mono text-xs text-slate-500" title={build.revision}>
        {build.revision.slice(0, 8)}
      </p>
      <p className="mt-1 truncate text-xs text-slate-700" title={build.commitMessage ?? undefined}>
        {build.commitMessage?.split("\n")[0] || "—"}
      </p>
      {canCancel && isInProgress(state) ? (
        <div className="mt-2">
          {build.cancelRequestedAt ? (
            <span className="text-xs text-slate-500">Cancelling…</span>
          ) : (
            <CancelButton slug={slug} buildId={build.id} number={build.number} />
          )}
        </div>
      ) : null}
    </div>
  );
}
