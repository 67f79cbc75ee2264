"use client";

import { useActionState } from "react";
import { secondaryButtonClass } from "../_components/styles";
import { cancelAction, rebuildAction, rebuildRevisionAction, type BuildActionState } from "./actions";

function Feedback({ state }: { state: BuildActionState }) {
  if (state.error)
    return (
      <span role="alert" className="text-xs text-red-700">
        {state.error}
      </span>
    );
  if (state.message)
    return (
      <span role="status" className="text-xs text-slate-500">
        {state.message}
      </span>
    );
  return null;
}

/** Rebuild (or "Build now" for a branch without a build): the worker builds the branch head as the repository has it. */
export function RebuildButton({
  slug,
  branchId,
  branchName,
  label = "Rebuild",
}: {
  slug: string;
  branchId: string;
  branchName: string;
  label?: "Rebuild" | "Build now";
}) {
  const [state, action, pending] = useActionState<BuildActionState, FormData>(rebuildAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="branchId" value={branchId} />
      <button type="submit" disabled={pending} className={secondaryButtonClass} aria-label={`${label} ${branchName}`}>
        {pending ? "Queuing…" : label}
      </button>
      <Feedback state={state} />
    </form>
  );
}

/** "Rebuild this revision" on a build page: a new build of exactly the build's commit. */
export function RebuildRevisionButton({ slug, branchId, revision }: { slug: string; branchId: string; revision: string }) {
  const [state, action, pending] = useActionState<BuildActionState, FormData>(rebuildRevisionAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="branchId" value={branchId} />
      <input type="hidden" name="revision" value={revision} />
      <button type="submit" disabled={pending} className={secondaryButtonClass}>
        {pending ? "Queuing…" : "Rebuild this revision"}
      </button>
      <Feedback state={state} />
    </form>
  );
}

export function CancelButton({ slug, buildId, number }: { slug: string; buildId: string; number: number }) {
  const [state, action, pending] = useActionState<BuildActionState, FormData>(cancelAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="buildId" value={buildId} />
      <button type="submit" disabled={pending} className={secondaryButtonClass} aria-label={`Cancel build #${number}`}>
        {pending ? "Cancelling…" : "Cancel"}
      </button>
      <Feedback state={state} />
    </form>
  );
}
