import { randomBytes, randomUUID } from "node:crypto";
import { inspectContainer, openPipedExec, openTtyExec, type DockerEngine, type PipedSession, type TtySession } from "@slipway/docker";
import { parseTerminalMessage, SHELL_IDLE_MS, SHELL_RESUME_MS, TERMINAL_CLOSE } from "@slipway/domain";
import type { WebSocket } from "ws";
import { databaseCredentials, type ManagedPostgres } from "../postgres";
import type { ShellTarget } from "./authorize-shell";

/** The user Odoo runs as in the official image (and the stand-in): shells never run as root. */
export const SHELL_USER = "odoo";
/** bash when the image has it, else sh. Fixed argv: nothing from the client reaches a command line. */
// Starts in the checkout (Odoo.sh: ~/src/user) when it is mounted, else in the home folder.
export const SHELL_COMMAND = [
  "/bin/sh",
  "-c",
  'cd /home/odoo/src/user 2>/dev/null || cd "$HOME" 2>/dev/null; if command -v bash >/dev/null 2>&1; then exec bash -i; else exec sh -i; fi',
];

/**
 * The argv of a session: the interactive shell above, or one command (`ssh <build> '<command>'`)
 * run by the same shell from the same folder. The command is handed to the shell as an argument
 * ("$1"), never spliced into the script.
 */
export function shellCommand(command?: string): string[] {
  if (command === undefined) return SHELL_COMMAND;
  return [
    "/bin/sh",
    "-c",
    'cd /home/odoo/src/user 2>/dev/null || cd "$HOME" 2>/dev/null; if command -v bash >/dev/null 2>&1; then exec bash -c "$1"; else exec sh -c "$1"; fi',
    "slipway-shell",
    command,
  ];
}

/** Why a shell could not be opened, in words for the person at the terminal. */
export class ShellUnavailable extends Error {}

export type ShellExec = { tty: true; session: TtySession } | { tty: false; session: PipedSession };

/**
 * Starts the process of one authorized shell session in the build's server container: the entry
 * point every way in shares (the web terminal, SSH). The container must be the build's running
 * server; the process runs as SHELL_USER with shellEnv, the interactive shell or one command, on
 * a TTY of the given size or piped (SSH exec without a pseudo-terminal). Throws ShellUnavailable.
 */
export async function openShellExec(options: {
  docker: DockerEngine;
  target: ShellTarget;
  pg: ManagedPostgres;
  /** One command instead of the interactive shell. */
  command?: string;
  /** A pseudo-terminal of this size, or false: stdin/stdout/stderr piped apart. */
  tty: { cols?: number; rows?: number } | false;
}): Promise<ShellExec> {
  const { docker, target } = options;
  const container = await inspectContainer({ docker, id: target.containerName });
  if (!container?.running || container.labels.build !== target.buildId)
    throw new ShellUnavailable(`The server of build #${target.buildNumber} is not running.`);
  const exec = {
    docker,
    id: container.id,
    cmd: shellCommand(options.command),
    user: SHELL_USER,
    env: shellEnv({ pg: options.pg, databaseName: target.databaseName }),
  };
  try {
    if (options.tty === false) return { tty: false, session: await openPipedExec(exec) };
    return { tty: true, session: await openTtyExec({ ...exec, cols: options.tty.cols, rows: options.tty.rows }) };
  } catch (error) {
    throw new ShellUnavailable(`Could not open a shell: ${(error as Error).message}`);
  }
}

export interface ShellSessionEnd {
  sessionId: string;
  durationMs: number;
  /** "disconnected": the connection dropped and nobody resumed the shell within the grace period. */
  reason: "exited" | "client_closed" | "disconnected" | "idle" | "shutdown" | "error";
  exitCode?: number;
  /** Times a browser reattached the shell after its connection dropped. */
  resumes?: number;
}

/**
 * The environment of a shell: `psql` (when the image has it) opens the build's database with the
 * role Odoo uses for it — that database's own role, which can open no other (ADR 0005), as Odoo.sh's
 * shells do. No database (a build without one): no credentials at all.
 */
export function shellEnv(options: { pg: ManagedPostgres; databaseName: string | null }): Record<string, string> {
  if (!options.databaseName) return { LANG: "C.UTF-8" };
  const creds = databaseCredentials(options.pg, options.databaseName);
  return {
    PGHOST: creds.host,
    PGPORT: String(creds.port),
    PGUSER: creds.user,
    PGPASSWORD: creds.password,
    PGDATABASE: options.databaseName,
    LANG: "C.UTF-8",
  };
}

/** Output kept for a detached shell: the newest bytes up to this bound, older ones dropped. */
export const DETACHED_OUTPUT_BYTES = 256 * 1024;

/** One web shell: a TTY exec that outlives its websocket for a while, and can be reattached. */
export interface ShellSession {
  sessionId: string;
  /** Who may resume it: the secret handed to the browser, the build and user it was opened for. */
  resumeSecret: string;
  target: ShellTarget;
  end: Promise<ShellSessionEnd>;
  /**
   * Reattaches the shell to a new websocket (a resume the caller has authorized): a socket still
   * attached is dropped, the output kept while detached is sent first, then `queued` (frames the
   * socket sent while its ticket was checked) goes to the shell. False once the shell ended.
   */
  attach(ws: WebSocket, queued?: readonly string[]): boolean;
  stop(reason: ShellSessionEnd["reason"]): void;
}

/**
 * Bridges one authorized websocket to a TTY exec in the build's server container: binary frames
 * out, JSON input/resize frames in; closes the socket when the shell exits, and the shell after
 * `idleMs` without input (or when `stop()` is called). Messages that arrive before the exec is
 * started are queued (the first resize would otherwise be lost). A socket closed with 1000 ends the
 * shell; one that drops otherwise detaches it for `resumeMs` (0: ends it), the newest output kept,
 * until `attach` gives it a new socket. Resolves once the exec runs (or failed to start).
 */
export async function runShellSession(options: {
  ws: WebSocket;
  docker: DockerEngine;
  target: ShellTarget;
  pg: ManagedPostgres;
  cols?: number;
  rows?: number;
  idleMs?: number;
  resumeMs?: number;
  /** Text frames received before this call (while the ticket was checked), in order. */
  queued?: readonly string[];
  onOpen?: (sessionId: string) => void;
}): Promise<ShellSession> {
  const { docker, target } = options;
  const sessionId = randomUUID();
  const resumeSecret = randomBytes(32).toString("base64url");
  const started = Date.now();
  const pending: string[] = [...(options.queued ?? [])];
  let tty: TtySession | null = null;
  let ws: WebSocket | null = options.ws;
  let ended: ShellSessionEnd["reason"] | null = null;
  let resumes = 0;
  let resolveEnd!: (e: ShellSessionEnd) => void;
  const end = new Promise<ShellSessionEnd>((r) => (resolveEnd = r));
  let idle: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  const idleMs = options.idleMs ?? SHELL_IDLE_MS;
  const resumeMs = options.resumeMs ?? SHELL_RESUME_MS;
  // Output produced while detached: the newest DETACHED_OUTPUT_BYTES.
  let backlog: Buffer[] = [];
  let backlogBytes = 0;
  let dropped = false;

  const isOpen = (socket: WebSocket | null): socket is WebSocket => socket !== null && socket.readyState === socket.OPEN;
  const send = (text: string) => {
    if (isOpen(ws)) ws.send(text);
  };
  const notice = (text: string) => send(JSON.stringify({ t: "notice", d: text }));
  const finish = (reason: ShellSessionEnd["reason"], exitCode?: number) => {
    if (ended) return;
    ended = reason;
    clearTimeout(idle);
    clearTimeout(grace);
    if (reason === "idle") notice(`\r\nSession closed after ${Math.round(idleMs / 60_000)} minutes without input.\r\n`);
    const code = reason === "idle" ? TERMINAL_CLOSE.idle : reason === "error" ? TERMINAL_CLOSE.error : TERMINAL_CLOSE.normal;
    if (ws && (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING)) ws.close(code, reason);
    ws = null;
    backlog = [];
    tty?.stream.destroy();
    resolveEnd({ sessionId, durationMs: Date.now() - started, reason, exitCode, resumes });
  };
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish("idle"), idleMs);
  };
  const handle = (text: string) => {
    const m = parseTerminalMessage(text);
    if (!m || !tty) return;
    if (m.t === "in") {
      armIdle();
      tty.stream.write(m.d);
    } else void tty.resize({ cols: m.cols, rows: m.rows }).catch(() => undefined);
  };
  const detach = (socket: WebSocket, code: number) => {
    if (socket !== ws || ended) return;
    ws = null;
    // A client that is done says so (1000); before the shell runs there is nothing to resume.
    if (code === TERMINAL_CLOSE.normal || resumeMs <= 0 || !tty) return finish("client_closed");
    grace = setTimeout(() => finish("disconnected"), resumeMs);
  };
  const bind = (socket: WebSocket) => {
    socket.on("message", (data, isBinary) => {
      if (socket !== ws) return;
      const text = isBinary ? "" : data.toString();
      if (tty) handle(text);
      else if (pending.length < 100) pending.push(text);
    });
    socket.on("close", (code) => detach(socket, code));
    socket.on("error", () => detach(socket, 1006));
  };
  const announce = () => send(JSON.stringify({ t: "session", id: sessionId, resume: resumeSecret }));

  bind(options.ws);
  try {
    const opened = await openShellExec({ docker, target, pg: options.pg, tty: { cols: options.cols, rows: options.rows } });
    if (!opened.tty) throw new ShellUnavailable("Could not open a shell: no terminal.");
    tty = opened.session;
  } catch (error) {
    notice(`\r\n${error instanceof ShellUnavailable ? error.message : `Could not open a shell: ${(error as Error).message}`}\r\n`);
    finish("error");
  }
  const session: ShellSession = {
    sessionId,
    resumeSecret,
    target,
    end,
    attach(socket, queued = []) {
      if (ended) return false;
      clearTimeout(grace);
      const previous = ws;
      ws = socket;
      previous?.terminate();
      resumes++;
      bind(socket);
      announce();
      if (dropped) notice("\r\n[earlier output was dropped while disconnected]\r\n");
      for (const chunk of backlog) socket.send(chunk, { binary: true });
      backlog = [];
      backlogBytes = 0;
      dropped = false;
      for (const text of queued) handle(text);
      return true;
    },
    stop: (reason) => finish(reason),
  };
  if (ended || !tty) {
    tty?.stream.destroy();
    return session;
  }
  const shell = tty;
  options.onOpen?.(sessionId);
  shell.stream.on("data", (chunk: Buffer) => {
    if (isOpen(ws)) return ws.send(chunk, { binary: true });
    if (ended) return;
    backlog.push(chunk);
    backlogBytes += chunk.length;
    while (backlogBytes > DETACHED_OUTPUT_BYTES && backlog.length > 1) {
      backlogBytes -= backlog.shift()!.length;
      dropped = true;
    }
  });
  void shell.exited.then(
    (code) => finish("exited", code),
    () => finish("exited"),
  );
  armIdle();
  announce();
  for (const text of pending.splice(0)) handle(text);
  return session;
}
