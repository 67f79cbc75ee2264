"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { primaryButtonClass, secondaryButtonClass } from "../../_components/styles";
import { backupsApi, postJson } from "./api";

export interface RestoreTarget {
  name: string;
  stage: "production" | "staging";
}

/**
 * Download (Odoo zip: the worker prepares it, then the browser fetches it; pg custom dump: at once)
 * and Restore (a dialog naming the branch whose database and filestore get overwritten).
 */
export function BackupActions({
  slug,
  backupId,
  takenAt,
  targets,
}: {
  slug: string;
  backupId: string;
  takenAt: string;
  targets: RestoreTarget[];
}) {
  const base = `${backupsApi(slug)}/${backupId}`;
  const [zip, setZip] = useState<{ state: "idle" | "preparing" } | { state: "error"; message: string }>({ state: "idle" });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function downloadZip() {
    setZip({ state: "preparing" });
    const res = await postJson<{ state: "ready" | "preparing" | "failed"; message?: string }>(`${base}/download`, {});
    if (!res.ok) return setZip({ state: "error", message: res.message });
    if (res.data.state === "failed") return setZip({ state: "error", message: res.data.message ?? "The zip could not be prepared." });
    if (res.data.state === "preparing") {
      timer.current = setTimeout(downloadZip, 1500);
      return;
    }
    setZip({ state: "idle" });
    window.location.assign(`${base}/download?format=zip`);
  }

  return (
    <div className="flex flex-wrap items-center justify-end gap-1.5">
      <button type="button" className={secondaryButtonClass} disabled={zip.state === "preparing"} onClick={downloadZip}>
        {zip.state === "preparing" ? "Preparing zip…" : "Download zip"}
      </button>
      <a className={secondaryButtonClass} href={`${base}/download?format=dump`} download>
        Dump
      </a>
      {targets.length > 0 ? <RestoreButton base={base} takenAt={takenAt} targets={targets} /> : null}
      {zip.state === "error" ? (
        <p role="alert" className="w-full text-right text-xs text-red-700">
          {zip.message}
        </p>
      ) : null}
    </div>
  );
}

function RestoreButton({ base, takenAt, targets }: { base: string; takenAt: string; targets: RestoreTarget[] }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [target, setTarget] = useState(targets[0]!.name);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const chosen = targets.find((t) => t.name === target) ?? targets[0]!;

  async function restore() {
    setPending(true);
    setError(null);
    const res = await postJson(`${base}/restore`, { branch: chosen.name, confirm: true });
    setPending(false);
    if (!res.ok) return setError(res.message);
    dialog.current?.close();
    router.refresh();
  }

  return (
    <>
      <button type="button" className={secondaryButtonClass} onClick={() => dialog.current?.showModal()}>
        Restore…
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={`restore-title-${base}`}
        className="m-auto w-full max-w-md rounded-xl border border-slate-200 p-5 text-left shadow-xl backdrop:bg-slate-900/40"
      >
        <h2 id={`restore-title-${base}`} className="text-base font-semibold">
          Restore the backup of {takenAt}
        </h2>
        {targets.length > 1 ? (
          <label className="mt-3 block text-sm">
            Into branch
            <select
              className="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
              value={target}
              onChange={(e) => setTarget(e.target.value)}
            >
              {targets.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name} ({t.stage})
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <p className="mt-3 text-sm text-slate-700" data-testid="restore-warning">
          This overwrites the database and filestore of <strong className="font-mono">{chosen.name}</strong> ({chosen.stage}). A safety
          backup of {chosen.name} is taken first
          {chosen.stage === "staging"
            ? "; the restored copy is neutralized (no real mail, crons off)."
            : "; visitors see a maintenance page for a few seconds."}
        </p>
        {error ? (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {error}
          </p>
        ) : null}
        <div className="mt-4 flex justify-end gap-2">
          <button type="button" className={secondaryButtonClass} onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" className={primaryButtonClass} disabled={pending} onClick={restore}>
            {pending ? "Restoring…" : `Restore into ${chosen.name}`}
          </button>
        </div>
      </dialog>
    </>
  );
}
