"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { formatTerminalResume, SHELL_RESUME_MS, TERMINAL_CLOSE, type TerminalResume } from "@slipway/domain";

type State = { kind: "connecting" } | { kind: "open" } | { kind: "reconnecting" } | { kind: "closed"; message: string };

const CLOSE_MESSAGES: Record<number, string> = {
  [TERMINAL_CLOSE.normal]: "The shell exited.",
  [TERMINAL_CLOSE.policy]: "Refused",
  [TERMINAL_CLOSE.error]: "The shell could not be opened.",
  [TERMINAL_CLOSE.idle]: "Closed after 15 minutes without input.",
  [TERMINAL_CLOSE.gone]: "The shell ended while the connection was down.",
};
/** Closes that end the session: anything else (a dropped connection) is resumed. */
const FINAL_CODES = new Set<number>(Object.values(TERMINAL_CLOSE));
/** The gateway keeps a dropped shell for SHELL_RESUME_MS: try a little less long than that. */
const RESUME_FOR_MS = SHELL_RESUME_MS - 5_000;
const retryDelay = (attempt: number) => Math.min(250 * 2 ** attempt, 5_000);

/**
 * xterm.js (loaded in the browser only) over a websocket to the worker's terminal gateway, opened
 * with a single-use ticket from the web app. The terminal fits its frame and follows resizes. When
 * the connection drops (the proxy reloading its routes, a network change), the shell keeps running
 * on the server: the view asks for a new ticket and resumes the same session with its secret.
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

      let ws: WebSocket | null = null;
      // The session to resume (from the gateway's session frame), and since when it is lost.
      let session: TerminalResume | null = null;
      let lostAt = 0;
      let attempt = 0;
      let retry: ReturnType<typeof setTimeout> | undefined;
      cleanups.push(() => clearTimeout(retry));
      // The client is done: 1000 tells the gateway to end the shell rather than keep it for a resume.
      cleanups.push(() => ws?.close(TERMINAL_CLOSE.normal));
      const send = (message: unknown) => ws?.readyState === WebSocket.OPEN && ws.send(JSON.stringify(message));
      const close = (message: string) => {
        term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
        setState({ kind: "closed", message });
      };
      const retryLater = () => {
        if (Date.now() - lostAt > RESUME_FOR_MS) return close("The connection was lost and could not be restored.");
        retry = setTimeout(() => void connect(), retryDelay(attempt++));
      };

      const connect = async (): Promise<void> => {
        let res: Response;
        try {
          res = await fetch(`/api/projects/${encodeURIComponent(slug)}/builds/${number}/shell-ticket`, { method: "POST" });
        } catch {
          if (disposed) return;
          return session ? retryLater() : close("The shell could not be opened: the panel is unreachable.");
        }
        const body = (await res.json().catch(() => ({}))) as {
          ticket?: string;
          port?: number | null;
          path?: string;
          error?: { message: string };
        };
        if (disposed) return;
        if (!res.ok || !body.ticket) {
          // A server error while resuming may pass; a refusal (role, build stopped) does not.
          if (session && res.status >= 500) return retryLater();
          return close(body.error?.message ?? `The shell could not be opened (HTTP ${res.status}).`);
        }
        const scheme = window.location.protocol === "https:" ? "wss" : "ws";
        // The panel's own origin when it is served through the proxy (no port), else the gateway's port.
        const origin = body.port ? `${window.location.hostname}:${body.port}` : window.location.host;
        const resume = session ? `&resume=${encodeURIComponent(formatTerminalResume(session))}` : "";
        const socket = new WebSocket(
          `${scheme}://${origin}${body.path}?ticket=${encodeURIComponent(body.ticket)}&cols=${term.cols}&rows=${term.rows}${resume}`,
        );
        ws = socket;
        socket.binaryType = "arraybuffer";
        socket.onopen = () => {
          setState({ kind: "open" });
          send({ t: "resize", cols: term.cols, rows: term.rows });
          term.focus();
        };
        socket.onmessage = (e: MessageEvent<ArrayBuffer | string>) => {
          if (typeof e.data !== "string") return term.write(new Uint8Array(e.data));
          const frame = JSON.parse(e.data) as { t?: string; d?: string; id?: string; resume?: string };
          if (frame.t === "notice" && frame.d) term.write(frame.d);
          if (frame.t === "session" && frame.id && frame.resume) {
            if (session) term.write("\x1b[2m[reconnected]\x1b[0m\r\n");
            session = { sessionId: frame.id, secret: frame.resume };
            attempt = 0;
            lostAt = 0;
          }
        };
        socket.onclose = (e) => {
          if (disposed || socket !== ws) return;
          if (session && !FINAL_CODES.has(e.code)) {
            if (lostAt === 0) {
              lostAt = Date.now();
              term.write("\r\n\x1b[2m[connection lost, reconnecting…]\x1b[0m");
            }
            setState({ kind: "reconnecting" });
            return retryLater();
          }
          close(
            e.code === TERMINAL_CLOSE.policy
              ? `Refused: ${e.reason || "not allowed"}`
              : e.reason && e.code !== TERMINAL_CLOSE.normal && e.code !== TERMINAL_CLOSE.gone
                ? `${CLOSE_MESSAGES[e.code] ?? "Closed."} (${e.reason})`
                : (CLOSE_MESSAGES[e.code] ?? "The connection was closed."),
          );
        };
      };

      const input = term.onData((d) => send({ t: "in", d }));
      const resize = term.onResize(({ cols, rows }) => send({ t: "resize", cols, rows }));
      cleanups.push(
        () => input.dispose(),
        () => resize.dispose(),
      );
      await connect();
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
            : state.kind === "reconnecting"
              ? "Connection lost: reconnecting to the same session…"
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
