"use client";

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { secondaryButtonClass } from "@/app/(app)/projects/_components/styles";

interface LogFile {
  name: string;
  sizeBytes: number;
}

type Status = "connecting" | "following" | "paused" | "stopped" | "error";

/** Lines kept in the view; older ones are dropped (the download has the whole file). */
const MAX_LINES = 5000;
const TAIL_LINES = 500;
/** Following stops after five minutes of viewing (seed: odoo_sh branches, Logs tab). */
const FOLLOW_MS = 5 * 60_000;

/**
 * A log file followed live over Server-Sent Events: pause and play, auto-scroll only while the
 * view is at the bottom, following stops after five minutes (with a button to resume), download.
 */
export function LogViewer({ slug, number, files, initial }: { slug: string; number: number; files: LogFile[]; initial: string }) {
  const [file, setFile] = useState(initial);
  const [lines, setLines] = useState<string[]>([]);
  const [status, setStatus] = useState<Status>("connecting");
  const [session, setSession] = useState(0);
  const view = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);
  const base = `/api/projects/${encodeURIComponent(slug)}/builds/${number}/logs/${encodeURIComponent(file)}`;

  // Following runs while active; `session` restarts it (play / resume) without changing the file.
  const active = status !== "paused" && status !== "stopped";
  useEffect(() => {
    if (!active) return;
    const source = new EventSource(`${base}/follow?lines=${TAIL_LINES}`);
    let first = true;
    const stop = (next: Status) => {
      source.close();
      setStatus(next);
    };
    source.addEventListener("lines", (e) => {
      const batch = JSON.parse((e as MessageEvent<string>).data) as string[];
      setStatus("following");
      // The first batch is the tail: it replaces what a previous connection showed.
      setLines((old) => (first ? batch : [...old, ...batch]).slice(-MAX_LINES));
      first = false;
    });
    source.addEventListener("reset", () => setLines([]));
    source.addEventListener("stopped", () => stop("stopped"));
    source.onerror = () => {
      // EventSource retries by itself; a refusal (401/403/404) closes it for good.
      if (source.readyState === EventSource.CLOSED) setStatus("error");
    };
    const timer = setTimeout(() => stop("stopped"), FOLLOW_MS + 5_000);
    return () => {
      clearTimeout(timer);
      source.close();
    };
  }, [base, session, active]);

  useLayoutEffect(() => {
    const el = view.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const onScroll = useCallback(() => {
    const el = view.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
  }, []);

  const play = () => {
    setStatus("connecting");
    setSession((s) => s + 1);
  };

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="log-file" className="text-sm text-slate-600">
          Log
        </label>
        <select
          id="log-file"
          value={file}
          onChange={(e) => {
            setFile(e.target.value);
            setLines([]);
            atBottom.current = true;
            setStatus("connecting");
          }}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-sm"
        >
          {files.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name} ({(f.sizeBytes / 1024).toFixed(1)} KiB)
            </option>
          ))}
        </select>
        {status === "paused" || status === "stopped" || status === "error" ? (
          <button type="button" onClick={play} className={secondaryButtonClass} aria-label="Play">
            ▶ Play
          </button>
        ) : (
          <button type="button" onClick={() => setStatus("paused")} className={secondaryButtonClass} aria-label="Pause">
            ❚❚ Pause
          </button>
        )}
        <a href={base} download className={secondaryButtonClass}>
          Download
        </a>
        <span className="text-xs text-slate-500" data-testid="log-status" data-status={status}>
          {status === "following"
            ? "Following live"
            : status === "connecting"
              ? "Connecting…"
              : status === "paused"
                ? "Paused"
                : status === "error"
                  ? "Disconnected"
                  : ""}
        </span>
      </div>
      {status === "stopped" ? (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" role="status">
          Following stopped after five minutes.{" "}
          <button type="button" onClick={play} className="font-semibold underline">
            Resume
          </button>
        </p>
      ) : null}
      <pre
        ref={view}
        onScroll={onScroll}
        data-testid="log-lines"
        className="h-[70vh] overflow-auto whitespace-pre-wrap break-words rounded-lg bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100"
      >
        {lines.length ? lines.join("\n") : status === "connecting" ? "" : "(empty)"}
      </pre>
    </div>
  );
}
