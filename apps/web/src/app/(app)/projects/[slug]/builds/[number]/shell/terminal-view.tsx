"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";

type State = { kind: "connecting" } | { kind: "open" } | { kind: "closed"; message: string };

// Mirrors TERMINAL_CLOSE of @slipway/domain (kept here: the domain package is server-side code).
const CLOSE_MESSAGES: Record<number, string> = {
  1000: "The shell exited.",
  1008: "Refused",
  1011: "The shell could not be opened.",
  4000: "Closed after 15 minutes without input.",
};

/**
 * xterm.js (loaded in the browser only) over a websocket to the worker's terminal gateway, opened
 * with a single-use ticket from the web app. The terminal fits its frame and follows resizes.
 */
export function TerminalView({ slug, number, color }: { slug: string; number: number; color: "red" | "yellow" }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<State>({ kind: "connecting" });

  useEffect(() => {
    let disposed = false;
    const cleanups: (() => void)[] = [];
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]);
      if (disposed || !host.current) return;
      const term = new Terminal({
        cursorBlink: true,
        fontSize: 13,
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace",
        scrollback: 5000,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      cleanups.push(() => term.dispose());
      const onWindowResize = () => fit.fit();
      window.addEventListener("resize", onWindowResize);
      cleanups.push(() => window.removeEventListener("resize", onWindowResize));

      const res = await fetch(`/api/projects/${encodeURIComponent(slug)}/builds/${number}/shell-ticket`, { method: "POST" });
      const body = (await res.json().catch(() => ({}))) as {
        ticket?: string;
        port?: number | null;
        path?: string;
        error?: { message: string };
      };
      if (disposed) return;
      if (!res.ok || !body.ticket) {
        const message = body.error?.message ?? `The shell could not be opened (HTTP ${res.status}).`;
        term.write(`\r\n${message}\r\n`);
        return setState({ kind: "closed", message });
      }
      const scheme = window.location.protocol === "https:" ? "wss" : "ws";
      // The panel's own origin when it is served through the proxy (no port), else the gateway's port.
      const origin = body.port ? `${window.location.hostname}:${body.port}` : window.location.host;
      const ws = new WebSocket(
        `${scheme}://${origin}${body.path}?ticket=${encodeURIComponent(body.ticket)}&cols=${term.cols}&rows=${term.rows}`,
      );
      ws.binaryType = "arraybuffer";
      cleanups.push(() => ws.close());
      const send = (message: unknown) => ws.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));
      ws.onopen = () => {
        setState({ kind: "open" });
        send({ t: "resize", cols: term.cols, rows: term.rows });
        term.focus();
      };
      ws.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
        if (typeof e.data !== "string") return term.write(new Uint8Array(e.data));
        const notice = JSON.parse(e.data) as { t?: string; d?: string };
        if (notice.t === "notice" && notice.d) term.write(notice.d);
      };
      ws.onclose = (e) => {
        if (disposed) return;
        const message =
          e.code === 1008
            ? `Refused: ${e.reason || "not allowed"}`
            : e.reason && e.code !== 1000
              ? `${CLOSE_MESSAGES[e.code] ?? "Closed."} (${e.reason})`
              : (CLOSE_MESSAGES[e.code] ?? "The connection was closed.");
        term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
        setState({ kind: "closed", message });
      };
      const input = term.onData((d) => send({ t: "in", d }));
      const resize = term.onResize(({ cols, rows }) => send({ t: "resize", cols, rows }));
      cleanups.push(
        () => input.dispose(),
        () => resize.dispose(),
      );
    })();
    return () => {
      disposed = true;
      for (const c of cleanups.reverse()) c();
    };
  }, [slug, number]);

  const frame = color === "red" ? "border-red-600" : "border-yellow-400";
  return (
    <div className="space-y-1">
      <div className={`rounded-lg border-4 ${frame} bg-black p-1`} data-testid="shell-frame" data-color={color}>
        <div ref={host} className="h-[75vh] w-full" data-testid="terminal" />
      </div>
      <p className="text-xs text-slate-500" data-testid="shell-status" data-state={state.kind}>
        {state.kind === "connecting"
          ? "Connecting…"
          : state.kind === "open"
            ? "Connected. Idle sessions close after 15 minutes."
            : state.message}
        {state.kind === "closed" ? (
          <>
            {" "}
            <button type="button" className="underline" onClick={() => window.location.reload()}>
              Open a new session
            </button>
          </>
        ) : null}
      </p>
    </div>
  );
}
