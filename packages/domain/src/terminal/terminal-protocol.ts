/**
 * The terminal gateway's wire protocol (browser ⇄ worker), shared by both ends.
 * - Upgrade request: GET /terminal?ticket=<shell ticket>&cols=<n>&rows=<n>
 * - Browser → gateway: text frames of JSON: {"t":"in","d":"<keystrokes>"} | {"t":"resize","cols":n,"rows":n}
 * - Gateway → browser: binary frames of raw terminal output; text frames of JSON notices
 *   {"t":"notice","d":"…"} (e.g. why the session ends).
 * Close codes: 1000 normal (shell exited), 1008 policy violation (refused ticket or role),
 * 1011 internal error (container unreachable), 4000 idle timeout.
 */
export const TERMINAL_PATH = "/terminal";
export const TERMINAL_CLOSE = { normal: 1000, policy: 1008, error: 1011, idle: 4000 } as const;
/** A session without input for this long is closed (seed: idle shells can be terminated). */
export const SHELL_IDLE_MS = 15 * 60_000;

export type TerminalClientMessage = { t: "in"; d: string } | { t: "resize"; cols: number; rows: number };

export interface TerminalRequest {
  ticket: string;
  cols?: number;
  rows?: number;
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
  return { ticket, cols: clampSize(url.searchParams.get("cols"), 1000), rows: clampSize(url.searchParams.get("rows"), 500) };
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
