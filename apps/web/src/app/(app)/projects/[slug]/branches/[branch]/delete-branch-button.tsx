"use client";

import { useActionState, useState } from "react";
import { inputClass } from "../../../_components/styles";
import { deleteBranchAction, type DeleteBranchState } from "./delete-branch-action";

const dangerButtonClass =
  "inline-flex items-center justify-center rounded-md border border-red-300 bg-white px-2.5 py-1 text-xs font-medium " +
  "text-red-700 shadow-sm hover:bg-red-50 disabled:opacity-60";

/**
 * "Delete branch" with confirmation by typing the branch name (issue 14). The server checks the
 * role (admins), that it is not the production branch and the typed name again; the worker then
 * removes its builds, databases, containers and routes. Its backups are kept per retention.
 */
export function DeleteBranchButton({ slug, branchName }: { slug: string; branchName: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [state, action, pending] = useActionState<DeleteBranchState, FormData>(deleteBranchAction, {});
  if (!open) {
    return (
      <button type="button" className={dangerButtonClass} onClick={() => setOpen(true)} data-testid="delete-branch">
        Delete branch
      </button>
    );
  }
  return (
    <form action={action} className="space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm" data-testid="delete-branch-form">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="branch" value={branchName} />
      <p className="text-red-800">
        This removes the builds of <strong>{branchName}</strong>, their databases, containers, URLs and logs. Its backups are kept per
        retention. The branch stays in your repository: a new commit pushed to it brings it back as a new development branch.
      </p>
      <label className="block">
        <span className="mb-1 block font-medium text-slate-700">Type {branchName} to confirm</span>
        <input
          name="confirmation"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          autoComplete="off"
          aria-label="Branch name to confirm"
          className={inputClass}
        />
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" disabled={pending || typed.trim() !== branchName} className={dangerButtonClass}>
          {pending ? "Deleting…" : "Delete this branch"}
        </button>
        <button
          type="button"
          className="text-xs text-slate-600 hover:underline"
          onClick={() => {
            setOpen(false);
            setTyped("");
          }}
        >
          Cancel
        </button>
        {state.error ? (
          <span role="alert" className="text-xs text-red-700">
            {state.error}
          </span>
        ) : null}
      </div>
    </form>
  );
}
