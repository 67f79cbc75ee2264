"use client";

import type { Stage } from "@slipway/domain";
import Link from "next/link";
import { StatusBadge } from "../_components/status-badge";
import { secondaryButtonClass } from "../_components/styles";
import type { BoardBranch } from "./board-branch";
import { RebuildButton } from "./build-action-buttons";

const stageLabel: Record<Stage, string> = { production: "Production", staging: "Staging", development: "Development" };

export interface BranchCardProps {
  slug: string;
  branch: BoardBranch;
  /** Other branches this one can be merged into (the "Move to…" menu's merge entries). */
  mergeTargets: string[];
  /** Stages this branch may be moved to by this user (the server still decides). */
  moveTargets: Stage[];
  canPin: boolean;
  /** Whether this user may build the branch (the Rebuild cell of its stage; the server checks again). */
  canBuild: boolean;
  draggable: boolean;
  /** True while another branch is dragged over this one (it will be merged into this one). */
  dropHighlight: boolean;
  pending: boolean;
  onMove(to: Stage): void;
  onMerge(into: string): void;
  onPin(pinned: boolean): void;
  dragHandlers: Pick<React.HTMLAttributes<HTMLLIElement>, "onDragStart" | "onDragEnd" | "onDragOver" | "onDragLeave" | "onDrop">;
}

/** One branch in the Branches view: draggable, a drop target for merges, and a keyboard menu. */
export function BranchCard(props: BranchCardProps) {
  const { slug, branch, mergeTargets, moveTargets } = props;
  const last = branch.lastBuild;
  const hasMenu = moveTargets.length > 0 || mergeTargets.length > 0 || props.canPin;
  return (
    <li
      data-testid={`branch-${branch.name}`}
      draggable={props.draggable}
      {...props.dragHandlers}
      className={`rounded-lg border bg-white px-3 py-2 shadow-sm ${props.dropHighlight ? "border-brand-500 ring-2 ring-brand-200" : "border-slate-200"} ${props.draggable ? "cursor-grab" : ""}`}
    >
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-mono text-sm text-slate-900">
          {/* Not draggable itself: dragging the name drags the card (stage moves, merges). */}
          <Link
            href={`/projects/${slug}/branches/${encodeURIComponent(branch.name)}`}
            draggable={false}
            className="hover:text-brand-700 hover:underline"
            data-testid="branch-page-link"
          >
            {branch.name}
          </Link>
          {branch.pinned ? (
            <span className="ml-2 rounded bg-amber-50 px-1 font-sans text-[10px] font-semibold uppercase text-amber-700 ring-1 ring-amber-200">
              pinned
            </span>
          ) : null}
        </span>
        {last ? (
          <Link
            href={`/projects/${slug}/builds/${last.number}`}
            className="shrink-0"
            aria-label={`Last build of ${branch.name}: #${last.number}`}
          >
            <StatusBadge build={{ state: last.state, result: last.result }} />
          </Link>
        ) : (
          <span className="text-xs text-slate-400">no build</span>
        )}
      </div>
      {!last && props.canBuild ? (
        <div className="mt-1">
          <RebuildButton slug={slug} branchId={branch.id} branchName={branch.name} label="Build now" />
        </div>
      ) : null}
      {hasMenu ? (
        <details className="mt-1 text-xs">
          <summary className="cursor-pointer select-none text-slate-500 hover:text-slate-800" aria-label={`Move or merge ${branch.name}`}>
            Move to…
          </summary>
          <div className="mt-2 flex flex-wrap gap-1.5" role="group" aria-label={`Actions for ${branch.name}`}>
            {moveTargets.map((stage) => (
              <button
                key={stage}
                type="button"
                disabled={props.pending}
                className={secondaryButtonClass}
                onClick={() => props.onMove(stage)}
              >
                {stageLabel[stage]}
              </button>
            ))}
            {mergeTargets.map((into) => (
              <button
                key={into}
                type="button"
                disabled={props.pending}
                className={secondaryButtonClass}
                onClick={() => props.onMerge(into)}
              >
                Merge into {into}
              </button>
            ))}
            {props.canPin && branch.stage !== "production" ? (
              <button
                type="button"
                disabled={props.pending}
                className={secondaryButtonClass}
                aria-pressed={branch.pinned}
                onClick={() => props.onPin(!branch.pinned)}
              >
                {branch.pinned ? "Unpin" : "Pin (keep from garbage collection)"}
              </button>
            ) : null}
          </div>
        </details>
      ) : null}
    </li>
  );
}
