import { randomUUID } from "node:crypto";
import { inspectContainer, openPipedExec, openTtyExec, type DockerEngine, type PipedSession, type TtySession } from "@slipway/docker";
import { parseTerminalMessage, SHELL_IDLE_MS, TERMINAL_CLOSE } from "@slipway/domain";
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
  reason: "exited" | "client_closed" | "idle" | "shutdown" | "error";
  exitCode?: number;
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

/**
 * Bridges one authorized websocket to a TTY exec in the build's server container: binary frames
 * out, JSON input/resize frames in; closes the socket when the shell exits, and the shell after
 * `idleMs` without input (or when `stop()` is called). Messages that arrive before the exec is
 * started are queued (the first resize would otherwise be lost).
 */
export async function runShellSession(options: {
  ws: WebSocket;
  docker: DockerEngine;
  target: ShellTarget;
  pg: ManagedPostgres;
  cols?: number;
  rows?: number;
  idleMs?: number;
  /** Text frames received before this call (while the ticket was checked), in order. */
  queued?: readonly string[];
  onOpen?: (sessionId: string) => void;
}): Promise<{ end: Promise<ShellSessionEnd>; stop(reason: ShellSessionEnd["reason"]): void }> {
  const { ws, docker, target } = options;
  const sessionId = randomUUID();
  const started = Date.now();
  const pending: string[] = [...(options.queued ?? [])];
  let tty: TtySession | null = null;
  let ended: ShellSessionEnd["reason"] | null = null;
  let resolveEnd!: (e: ShellSessionEnd) => void;
  const end = new Promise<ShellSessionEnd>((r) => (resolveEnd = r));
  let idle: NodeJS.Timeout | undefined;
  const idleMs = options.idleMs ?? SHELL_IDLE_MS;

  const finish = (reason: ShellSessionEnd["reason"], exitCode?: number) => {
    if (ended) return;
    ended = reason;
    clearTimeout(idle);
    if (reason === "idle") notice(`\r\nSession closed after ${Math.round(idleMs / 60_000)} minutes without input.\r\n`);
    const code = reason === "idle" ? TERMINAL_CLOSE.idle : reason === "error" ? TERMINAL_CLOSE.error : TERMINAL_CLOSE.normal;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    tty?.stream.destroy();
    resolveEnd({ sessionId, durationMs: Date.now() - started, reason, exitCode });
  };
  const notice = (text: string) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: "notice", d: text }));
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

  ws.on("message", (data, isBinary) => {
    const text = isBinary ? "" : data.toString();
    if (tty) handle(text);
    else if (pending.length < 100) pending.push(text);
  });
  ws.on("close", () => finish("client_closed"));
  ws.on("error", () => finish("client_closed"));

  try {
    const opened = await openShellExec({ docker, target, pg: options.pg, tty: { cols: options.cols, rows: options.rows } });
    if (!opened.tty) throw new ShellUnavailable("Could not open a shell: no terminal.");
    tty = opened.session;
  } catch (error) {
    notice(`\r\n${error instanceof ShellUnavailable ? error.message : `Could not open a shell: ${(error as Error).message}`}\r\n`);
    finish("error");
    return { end, stop: () => undefined };
  }
  if (ended) {
    tty.stream.destroy();
    return { end, stop: () => undefined };
  }
  options.onOpen?.(sessionId);
  tty.stream.on("data", (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  void tty.exited.then(
    (code) => finish("exited", code),
    () => finish("exited"),
  );
  armIdle();
  for (const text of pending.splice(0)) handle(text);
  return { end, stop: (reason) => finish(reason) };
}
