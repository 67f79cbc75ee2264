"use client";

import { useState, type ReactNode } from "react";
import { secondaryButtonClass } from "@/app/(app)/projects/_components/styles";
import { useBranchChanges } from "../../use-branch-changes";
import { mergeCommand, type ShellCommand, type ShellCommandKey } from "./shell-commands";

/**
 * The seed's shell commands (top right of the branch view): pick one to see its exact command
 * line and copy it. Merge also runs from here (the worker's merge job, like a drop on the board),
 * and so does Delete (`deleteAction`: the typed-confirmation control, for admins, not production).
 */
export function ShellCommandsPanel({
  slug,
  branch,
  commands,
  mergeTargets,
  defaultMergeInto,
  deleteAction,
}: {
  slug: string;
  branch: string;
  commands: ShellCommand[];
  /** Branches this viewer may merge this one into (the server decides again). */
  mergeTargets: string[];
  defaultMergeInto: string | null;
  /** Deleting from the interface: the delete control when offered, else why it is not. */
  deleteAction: { kind: "unavailable"; reason: string } | { kind: "control"; control: ReactNode };
}) {
  const [selected, setSelected] = useState<ShellCommandKey>("clone");
  const [into, setInto] = useState<string | null>(defaultMergeInto);
  const [copied, setCopied] = useState<ShellCommandKey | null>(null);
  const { merge, feedback, pending } = useBranchChanges(slug);
  const current = commands.find((c) => c.key === selected) ?? commands[0]!;
  // The merge line follows the chosen target.
  const line = current.key === "merge" && current.command && into ? mergeCommand(branch, into) : current.command;

  const copy = async () => {
    if (!line) return;
    try {
      await navigator.clipboard.writeText(line);
      setCopied(current.key);
    } catch {
      // Clipboard refused (not a secure context): select the text so Ctrl+C copies it.
      const code = document.getElementById("shell-command-line");
      if (code) window.getSelection()?.selectAllChildren(code);
    }
  };

  return (
    <section aria-label="Shell commands" data-testid="shell-commands" className="rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
      <div className="flex flex-wrap gap-1" role="group" aria-label="Commands">
        {commands.map((c) => (
          <button
            key={c.key}
            type="button"
            aria-pressed={c.key === current.key}
            data-testid={`shell-command-${c.key}`}
            onClick={() => {
              setSelected(c.key);
              setCopied(null);
            }}
            className={`rounded-md px-2 py-1 text-xs font-medium ${c.key === current.key ? "bg-slate-800 text-white" : "text-slate-600 hover:bg-slate-100"}`}
          >
            {c.label}
          </button>
        ))}
      </div>
      <div className="mt-2 flex items-start gap-2">
        <code
          id="shell-command-line"
          data-testid="shell-command-line"
          className="min-w-0 flex-1 whitespace-pre-wrap break-words rounded-md bg-slate-900 px-2 py-1.5 font-mono text-xs text-slate-100"
        >
          {line ?? current.unavailable}
        </code>
        <button
          type="button"
          className={secondaryButtonClass}
          disabled={!line}
          onClick={() => void copy()}
          data-testid="shell-command-copy"
        >
          {copied === current.key ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="mt-1.5 text-xs text-slate-500">{current.help}</p>
      {current.key === "merge" && mergeTargets.length > 0 ? (
        <div className="mt-2 flex flex-wrap items-center gap-2 text-xs">
          <label htmlFor="merge-into" className="text-slate-600">
            Merge <span className="font-mono">{branch}</span> into
          </label>
          <select
            id="merge-into"
            value={into ?? ""}
            onChange={(e) => setInto(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
          >
            {mergeTargets.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <button
            type="button"
            className={secondaryButtonClass}
            disabled={pending || !into}
            onClick={() => into && void merge(branch, into)}
            data-testid="merge-now"
          >
            {pending ? "Merging…" : "Merge now"}
          </button>
        </div>
      ) : null}
      {current.key === "delete" ? (
        <div className="mt-2 text-xs">
          {deleteAction.kind === "control" ? (
            deleteAction.control
          ) : (
            <span className="flex flex-wrap items-center gap-2">
              <button type="button" className={secondaryButtonClass} disabled title={deleteAction.reason} data-testid="delete-branch">
                Delete this branch
              </button>
              <span className="text-slate-500">{deleteAction.reason}</span>
            </span>
          )}
        </div>
      ) : null}
      <div aria-live="polite" className="text-xs">
        {feedback ? (
          <p
            role={feedback.kind === "error" ? "alert" : "status"}
            data-testid="branch-feedback"
            className={`mt-2 ${feedback.kind === "error" ? "text-red-700" : "text-slate-600"}`}
          >
            {feedback.text}
          </p>
        ) : null}
      </div>
    </section>
  );
}
