"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { primaryButtonClass, secondaryButtonClass } from "../../_components/styles";
import { backupsApi, postJson, sizeText } from "./api";

type Status = {
  state: "checking" | "valid" | "invalid" | "missing";
  fileName: string;
  sizeBytes: number;
  format?: "zip" | "dump";
  odooVersion?: string | null;
  database?: string | null;
  filestoreFiles?: number;
  message?: string;
};

type Phase =
  | { step: "pick" }
  | { step: "uploading"; sent: number; total: number }
  | { step: "checking" | "checked"; upload: string; status?: Status }
  | { step: "importing" | "queued"; upload: string; status: Status };

/**
 * Import a database (seed "Import a database"): the file goes up as the raw request body with a
 * progress bar (XMLHttpRequest upload events), the worker checks it (format, paths, zip bomb, Odoo
 * version), and only then may the user confirm that it overwrites the branch.
 */
export function ImportPanel({ slug, branch, stage, maxBytes }: { slug: string; branch: string; stage: string; maxBytes: number }) {
  const router = useRouter();
  const [phase, setPhase] = useState<Phase>({ step: "pick" });
  const [error, setError] = useState<string | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const file = useRef<HTMLInputElement>(null);
  const api = `${backupsApi(slug)}/uploads`;

  function upload() {
    const chosen = file.current?.files?.[0];
    setError(null);
    if (!chosen) return setError("Choose a file first: an Odoo database-manager .zip or a pg_dump -Fc dump.");
    if (chosen.size > maxBytes) return setError(`The file is ${sizeText(chosen.size)}, above the ${sizeText(maxBytes)} import limit.`);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${api}?branch=${encodeURIComponent(branch)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("x-file-name", encodeURIComponent(chosen.name));
    xhr.upload.onprogress = (e) => setPhase({ step: "uploading", sent: e.loaded, total: e.lengthComputable ? e.total : chosen.size });
    xhr.onerror = () => {
      setPhase({ step: "pick" });
      setError("The upload failed (connection lost?); try again.");
    };
    xhr.onload = () => {
      const json = JSON.parse(xhr.responseText || "{}") as { upload?: string; error?: { message?: string } };
      if (xhr.status !== 201 || !json.upload) {
        setPhase({ step: "pick" });
        return setError(json.error?.message ?? `The upload was refused (${xhr.status}).`);
      }
      setPhase({ step: "checking", upload: json.upload });
    };
    setPhase({ step: "uploading", sent: 0, total: chosen.size });
    xhr.send(chosen);
  }

  // While the worker checks the file: ask every second.
  const checking = phase.step === "checking" ? phase.upload : null;
  useEffect(() => {
    if (!checking) return;
    let stop = false;
    const poll = async () => {
      const res = await fetch(`${api}/${checking}`, { cache: "no-store" });
      const json = (await res.json().catch(() => ({}))) as Status & { error?: { message?: string } };
      if (stop) return;
      if (!res.ok) return setError(json.error?.message ?? "The upload's status is unavailable.");
      if (json.state === "checking") return void setTimeout(poll, 1000);
      setPhase({ step: "checked", upload: checking, status: json });
    };
    void poll();
    return () => {
      stop = true;
    };
  }, [checking, api]);

  async function confirmImport(upload: string, status: Status) {
    setPhase({ step: "importing", upload, status });
    const res = await postJson(`${api}/${upload}/import`, { confirmOverwrite: true });
    if (!res.ok) {
      setError(res.message);
      return setPhase({ step: "checked", upload, status });
    }
    setPhase({ step: "queued", upload, status });
    router.refresh();
  }

  async function discard(upload: string) {
    await postJson(`${api}/${upload}`, undefined, "DELETE");
    setPhase({ step: "pick" });
    setConfirmed(false);
  }

  const status = "status" in phase ? phase.status : undefined;
  return (
    <section
      aria-labelledby="import-title"
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      data-testid="import-panel"
    >
      <h2 id="import-title" className="text-sm font-semibold">
        Import a database into {branch}
      </h2>
      {phase.step === "pick" ? (
        <div className="flex flex-wrap items-center gap-2">
          <input
            ref={file}
            type="file"
            accept=".zip,.dump,.backup,application/zip,application/octet-stream"
            aria-label="Database file"
            data-testid="import-file"
            className="block max-w-full rounded-md border border-dashed border-slate-300 bg-slate-50 py-1 pl-1 pr-3 text-sm text-slate-600 file:mr-3 file:cursor-pointer file:rounded-md file:border file:border-solid file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium file:text-slate-700 file:shadow-sm hover:file:bg-slate-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
          />
          <button type="button" className={secondaryButtonClass} onClick={upload}>
            Upload
          </button>
          <span className="text-xs text-slate-500">
            Odoo database-manager .zip (with or without filestore) or pg_dump -Fc, up to {sizeText(maxBytes)}.
          </span>
        </div>
      ) : null}
      {phase.step === "uploading" ? (
        <div className="space-y-1">
          <progress className="h-2 w-full" max={phase.total} value={phase.sent} aria-label="Upload progress" />
          <p className="text-xs text-slate-500" data-testid="upload-progress">
            {sizeText(phase.sent)} of {sizeText(phase.total)} ({phase.total ? Math.floor((100 * phase.sent) / phase.total) : 0} %)
          </p>
        </div>
      ) : null}
      {phase.step === "checking" ? (
        <p className="text-sm text-slate-600" role="status">
          Uploaded; checking the file (format, paths, size, Odoo version)…
        </p>
      ) : null}
      {status?.state === "invalid" || status?.state === "missing" ? (
        <div className="space-y-2">
          <p role="alert" className="text-sm text-red-700" data-testid="import-refused">
            {status.state === "missing" ? "This upload is gone; send the file again." : `Refused: ${status.message}`}
          </p>
          <button type="button" className={secondaryButtonClass} onClick={() => setPhase({ step: "pick" })}>
            Choose another file
          </button>
        </div>
      ) : null}
      {status?.state === "valid" && "upload" in phase ? (
        <div className="space-y-2" data-testid="import-valid">
          <p className="text-sm text-slate-700">
            {status.fileName} ({sizeText(status.sizeBytes)}) is valid:{" "}
            {status.format === "zip"
              ? `Odoo ${status.odooVersion} database-manager zip${status.database ? ` of ${status.database}` : ""}, ${status.filestoreFiles} filestore files`
              : "pg_dump custom-format dump (its Odoo version is checked while loading)"}
            .
          </p>
          {phase.step === "queued" ? (
            <p role="status" className="text-sm font-medium text-slate-800">
              Import queued: a safety backup of {branch} is taken, then the database is replaced.
            </p>
          ) : (
            <>
              <label className="flex items-start gap-2 text-sm text-slate-800">
                <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} className="mt-1" />
                <span>
                  I understand that importing <strong>overwrites all data</strong> of branch <span className="font-mono">{branch}</span> (
                  {stage}); crons and outgoing mail servers of the imported database are disabled.
                </span>
              </label>
              <div className="flex gap-2">
                <button
                  type="button"
                  className={primaryButtonClass}
                  disabled={!confirmed || phase.step === "importing"}
                  onClick={() => confirmImport(phase.upload, status)}
                >
                  {phase.step === "importing" ? "Importing…" : `Import into ${branch}`}
                </button>
                <button type="button" className={secondaryButtonClass} onClick={() => discard(phase.upload)}>
                  Discard
                </button>
              </div>
            </>
          )}
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </section>
  );
}
