/**
 * The terminal gateway's wire protocol (browser ⇄ worker), shared by both ends.
 * - Upgrade request: GET /terminal?ticket=<shell ticket>&cols=<n>&rows=<n>[&resume=<session id>.<secret>]
 * - Browser → gateway: text frames of JSON: {"t":"in","d":"<keystrokes>"} | {"t":"resize","cols":n,"rows":n}
 * - Gateway → browser: binary frames of raw terminal output; text frames of JSON: notices
 *   {"t":"notice","d":"…"} (e.g. why the session ends) and, once the shell runs (and again on each
 *   resume), {"t":"session","id":"<session id>","resume":"<secret>"}.
 * - Resuming: a connection that drops without a close frame of code 1000 (the proxy reloading its
 *   configuration, a network change, a closed laptop) leaves the shell running, detached, for
 *   SHELL_RESUME_MS, its output kept (up to a bound). The browser reconnects with a NEW ticket (the
 *   role is checked again) and `resume`; the gateway reattaches the shell only for the same user on
 *   the same build with the session's secret. A client that is done closes with 1000: the shell ends.
 * Close codes: 1000 normal (shell exited, or the client is done), 1008 policy violation (refused
 * ticket or role), 1011 internal error (container unreachable), 4000 idle timeout, 4001 nothing to
 * resume (the session ended, or the resume was not this user's on this build).
 */
export const TERMINAL_PATH = "/terminal";
export const TERMINAL_CLOSE = { normal: 1000, policy: 1008, error: 1011, idle: 4000, gone: 4001 } as const;
/** A session without input for this long is closed (seed: idle shells can be terminated). */
export const SHELL_IDLE_MS = 15 * 60_000;
/** How long a shell whose connection dropped waits, running, for its browser to resume it. */
export const SHELL_RESUME_MS = 60_000;

export interface TerminalResume {
  sessionId: string;
  secret: string;
}

export type TerminalClientMessage = { t: "in"; d: string } | { t: "resize"; cols: number; rows: number };

export interface TerminalRequest {
  ticket: string;
  cols?: number;
  rows?: number;
  /** Present when the browser resumes a detached session (a malformed value: refused, never guessed). */
  resume?: TerminalResume | "malformed";
}

const RESUME = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/** `<session id>.<secret>` as the gateway hands it out in its session frame. */
export function formatTerminalResume(resume: TerminalResume): string {
  return `${resume.sessionId}.${resume.secret}`;
}

const clampSize = (value: string | null, max: number): number | undefined => {
  if (value === null || !/^\d{1,4}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= max ? n : undefined;
};

/**
 * Reads the upgrade request's target (`/terminal?ticket=…`): null when the path is another one or
 * the ticket is missing, so the gateway answers 404/400 without looking further.
 */
export function parseTerminalRequest(target: string | undefined): TerminalRequest | null {
  if (!target || target.length > 4096) return null;
  let url: URL;
  try {
    url = new URL(target, "http://gateway.invalid");
  } catch {
    return null;
  }
  if (url.pathname !== TERMINAL_PATH) return null;
  const ticket = url.searchParams.get("ticket");
  if (!ticket) return null;
  const request: TerminalRequest = {
    ticket,
    cols: clampSize(url.searchParams.get("cols"), 1000),
    rows: clampSize(url.searchParams.get("rows"), 500),
  };
  const resume = url.searchParams.get("resume");
  if (resume !== null) {
    const m = RESUME.exec(resume);
    request.resume = m ? { sessionId: m[1]!, secret: m[2]! } : "malformed";
  }
  return request;
}

/** One client frame, or null when it is not a message of the protocol (ignored, never executed). */
export function parseTerminalMessage(text: string): TerminalClientMessage | null {
  if (text.length > 1024 * 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  if (m.t === "in" && typeof m.d === "string") return { t: "in", d: m.d };
  if (m.t === "resize") {
    const cols = clampSize(typeof m.cols === "number" ? String(m.cols) : null, 1000);
    const rows = clampSize(typeof m.rows === "number" ? String(m.rows) : null, 500);
    if (cols && rows) return { t: "resize", cols, rows };
  }
  return null;
}

/** Shells into production are framed red, the others yellow (seed: odoo_sh branches, Shell tab). */
export function shellFrameColor(stage: "production" | "staging" | "development"): "red" | "yellow" {
  return stage === "production" ? "red" : "yellow";
}
