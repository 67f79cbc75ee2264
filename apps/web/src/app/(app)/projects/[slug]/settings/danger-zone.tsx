"use client";

import { useActionState, useState } from "react";
import { inputClass } from "../../_components/styles";
import { deleteProjectAction, type DeleteProjectState } from "./delete-project-action";

/**
 * The settings page's "Danger zone": deleting the project, confirmed by typing its name (issue 14).
 * Everything of it goes (builds, databases, containers, URLs, logs); its backups are kept for a
 * grace period, then removed.
 */
export function DangerZone({ slug }: { slug: string }) {
  const [typed, setTyped] = useState("");
  const [state, action, pending] = useActionState<DeleteProjectState, FormData>(deleteProjectAction, {});
  return (
    <section
      className="rounded-xl border border-red-200 bg-white p-5 shadow-sm"
      data-testid="danger-zone"
      aria-labelledby="danger-zone-title"
    >
      <h2 id="danger-zone-title" className="mb-2 text-base font-semibold text-red-800">
        Danger zone
      </h2>
      <form action={action} className="space-y-3 text-sm">
        <input type="hidden" name="slug" value={slug} />
        <p className="text-slate-700">
          Deleting the project removes every branch&apos;s builds, databases, containers, URLs and logs. Its backups are kept for a grace
          period (7 days unless the administrator changed it), then removed. This cannot be undone.
        </p>
        <label className="block">
          <span className="mb-1 block font-medium text-slate-700">
            Type <code className="rounded bg-slate-100 px-1">{slug}</code> to confirm
          </span>
          <input
            name="confirmation"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            aria-label="Project name to confirm"
            className={`${inputClass} max-w-sm`}
          />
        </label>
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="submit"
            disabled={pending || typed.trim() !== slug}
            className="inline-flex items-center justify-center rounded-md bg-red-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-red-700 disabled:opacity-60"
          >
            {pending ? "Deleting…" : "Delete this project"}
          </button>
          {state.error ? (
            <span role="alert" className="text-xs text-red-700">
              {state.error}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
