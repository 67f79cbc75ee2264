"use client";

import type { Stage } from "@slipway/domain";
import { useState } from "react";
import type { BoardBranch } from "./board-branch";
import { BranchCard } from "./branch-card";
import { useBranchChanges } from "./use-branch-changes";

export type { BoardBranch } from "./board-branch";

const stages = [
  { key: "production", title: "Production", empty: "No production branch yet." },
  { key: "staging", title: "Staging", empty: "No staging branches." },
  { key: "development", title: "Development", empty: "No development branches yet." },
] as const;

// Same rule as the server (access module): a change is gated by the most exposed stage involved.
const exposure: Stage[] = ["production", "staging", "development"];
const mostExposed = (a: Stage, b: Stage): Stage => exposure.find((s) => s === a || s === b)!;

const MIME = "application/x-slipway-branch";

/**
 * The Branches view (client): drag a branch under another stage to move it, drop it ON another
 * branch to merge it there (native HTML5 drag and drop), or use each branch's "Move to…" menu
 * (keyboard and screen readers). The server applies the rules; its refusals are shown as is.
 */
export function BranchesBoard({ slug, branches, canChange }: { slug: string; branches: BoardBranch[]; canChange: Record<Stage, boolean> }) {
  const { move, merge, pin, feedback, pending } = useBranchChanges(slug);
  const [dragged, setDragged] = useState<BoardBranch | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const allowed = (from: Stage, to: Stage) => canChange[mostExposed(from, to)];

  const columnHandlers = (stage: Stage) => ({
    onDragOver: (e: React.DragEvent) => {
      if (!dragged || dragged.stage === stage) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = "move";
      setOver(`stage:${stage}`);
    },
    onDragLeave: () => setOver((o) => (o === `stage:${stage}` ? null : o)),
    onDrop: (e: React.DragEvent) => {
      e.preventDefault();
      const name = e.dataTransfer.getData(MIME) || dragged?.name;
      setOver(null);
      setDragged(null);
      if (name) void move(name, stage);
    },
  });

  const cardHandlers = (branch: BoardBranch) => ({
    onDragStart: (e: React.DragEvent<HTMLLIElement>) => {
      e.dataTransfer.setData(MIME, branch.name);
      e.dataTransfer.setData("text/plain", branch.name);
      // "copy" over a branch (merge), "move" over a stage column: both must be allowed or the drop never fires.
      e.dataTransfer.effectAllowed = "copyMove";
      setDragged(branch);
    },
    onDragEnd: () => {
      setDragged(null);
      setOver(null);
    },
    onDragOver: (e: React.DragEvent<HTMLLIElement>) => {
      if (!dragged || dragged.name === branch.name) return;
      e.preventDefault();
      e.stopPropagation();
      e.dataTransfer.dropEffect = "copy";
      setOver(`branch:${branch.name}`);
    },
    onDragLeave: () => setOver((o) => (o === `branch:${branch.name}` ? null : o)),
    onDrop: (e: React.DragEvent<HTMLLIElement>) => {
      const name = e.dataTransfer.getData(MIME) || dragged?.name;
      if (!name || name === branch.name) return;
      e.preventDefault();
      e.stopPropagation();
      setOver(null);
      setDragged(null);
      void merge(name, branch.name);
    },
  });

  return (
    <div className="space-y-3">
      <p className="text-xs text-slate-500">Drag a branch under another stage to move it, or onto another branch to merge it there.</p>
      <div aria-live="polite" className="min-h-5 text-sm">
        {feedback?.kind === "error" ? (
          <p role="alert" data-testid="branch-feedback" className="rounded-md bg-red-50 px-3 py-2 text-red-800 ring-1 ring-red-200">
            {feedback.text}
          </p>
        ) : feedback ? (
          <p role="status" data-testid="branch-feedback" className="text-slate-600">
            {feedback.text}
          </p>
        ) : null}
      </div>
      <div className="grid gap-4 md:grid-cols-3">
        {stages.map((stage) => {
          const list = branches.filter((b) => b.stage === stage.key);
          return (
            <section
              key={stage.key}
              aria-labelledby={`stage-${stage.key}`}
              data-testid={`stage-${stage.key}`}
              {...columnHandlers(stage.key)}
              className={`rounded-xl border bg-slate-50 p-3 ${over === `stage:${stage.key}` ? "border-brand-500 ring-2 ring-brand-200" : "border-slate-200"}`}
            >
              <h2 id={`stage-${stage.key}`} className="mb-3 text-sm font-semibold uppercase tracking-wide text-slate-600">
                {stage.title} <span className="font-normal text-slate-400">({list.length})</span>
              </h2>
              {list.length === 0 ? (
                <p className="text-xs text-slate-500">{stage.empty}</p>
              ) : (
                <ul className="space-y-2">
                  {list.map((branch) => {
                    const moveTargets = exposure.filter((s) => s !== branch.stage && allowed(branch.stage, s));
                    const mergeTargets = branches
                      .filter((b) => b.name !== branch.name && allowed(branch.stage, b.stage))
                      .map((b) => b.name);
                    return (
                      <BranchCard
                        key={branch.name}
                        slug={slug}
                        branch={branch}
                        moveTargets={moveTargets}
                        mergeTargets={mergeTargets}
                        canPin={canChange[branch.stage]}
                        canBuild={canChange[branch.stage]}
                        draggable={!pending && (moveTargets.length > 0 || mergeTargets.length > 0)}
                        dropHighlight={over === `branch:${branch.name}`}
                        pending={pending}
                        onMove={(to) => void move(branch.name, to)}
                        onMerge={(into) => void merge(branch.name, into)}
                        onPin={(pinned) => void pin(branch.name, pinned)}
                        dragHandlers={cardHandlers(branch)}
                      />
                    );
                  })}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}
