import { PassThrough, type Duplex, type Readable, type Writable } from "node:stream";
import { api, type DockerEngine } from "./engine";
import { engineCall } from "./errors";
import { Demuxer, lineDemuxer } from "./demux";

export interface ExecOptions {
  docker: DockerEngine;
  /** Container id or name. */
  id: string;
  cmd: string[];
  user?: string;
  env?: Record<string, string>;
  workingDir?: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function envList(env: Record<string, string> | undefined): string[] | undefined {
  return env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : undefined;
}

async function exitCodeOf(docker: DockerEngine, execId: string): Promise<number> {
  // The exit code is set a moment after the stream closes; poll briefly.
  for (let i = 0; i < 50; i++) {
    const info = await engineCall("inspect exec", () => api(docker).getExec(execId).inspect());
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`exec ${execId} did not report an exit code`);
}

/** Runs a command without TTY: stdout and stderr kept apart, optional stdin, exit code. */
export async function execCommand(options: ExecOptions & { stdin?: string | Buffer; timeoutMs?: number }): Promise<ExecResult> {
  const { docker } = options;
  const exec = await engineCall(`exec in ${options.id}`, () =>
    api(docker)
      .getContainer(options.id)
      .exec({
        Cmd: options.cmd,
        User: options.user,
        Env: envList(options.env),
        WorkingDir: options.workingDir,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: options.stdin !== undefined,
        Tty: false,
      }),
  );
  const stream = (await engineCall("start exec", () => exec.start({ hijack: true, stdin: options.stdin !== undefined }))) as Duplex;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const demux = lineDemuxer(
    () => undefined,
    (s, data) => (s === "stderr" ? err : out).push(data),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = options.timeoutMs
      ? setTimeout(() => {
          stream.destroy();
          reject(new Error(`exec timed out after ${options.timeoutMs} ms: ${options.cmd.join(" ")}`));
        }, options.timeoutMs)
      : undefined;
    stream.on("data", (chunk: Buffer) => demux.push(chunk));
    const finish = () => {
      clearTimeout(timer);
      resolve();
    };
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
    if (options.stdin !== undefined) {
      stream.write(options.stdin);
      // Half-close: the process sees EOF on stdin while we keep reading its output.
      stream.end();
    }
  });
  return {
    exitCode: await exitCodeOf(docker, exec.id),
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
  };
}

export interface TtySession {
  /** Raw duplex: write keystrokes, read terminal output (not multiplexed). */
  stream: Duplex;
  resize(size: { cols: number; rows: number }): Promise<void>;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number>;
}

/** Opens an interactive TTY exec (for the web terminal). */
export async function openTtyExec(options: ExecOptions & { cols?: number; rows?: number }): Promise<TtySession> {
  const { docker } = options;
  const exec = await engineCall(`exec in ${options.id}`, () =>
    api(docker)
      .getContainer(options.id)
      .exec({
        Cmd: options.cmd,
        User: options.user,
        Env: envList({ TERM: "xterm-256color", ...options.env }),
        WorkingDir: options.workingDir,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
      }),
  );
  const stream = (await engineCall("start exec", () => exec.start({ hijack: true, stdin: true, Tty: true }))) as Duplex;
  const resize = async (size: { cols: number; rows: number }) => {
    await engineCall("resize exec", () => exec.resize({ w: size.cols, h: size.rows }));
  };
  // API 1.41 has no initial console size on exec start: the resize lands just after the start.
  if (options.cols && options.rows) await resize({ cols: options.cols, rows: options.rows }).catch(() => undefined);
  const exited = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  }).then(() => exitCodeOf(docker, exec.id));
  return { stream, resize, exited };
}

export interface PipedSession {
  /** The process's stdin: `end()` half-closes it (the process reads EOF, its output still flows). */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code once the process ends (its output streams are ended before). */
  exited: Promise<number>;
  /** Drops the connection to the process (it gets SIGHUP-like EOF on its streams). */
  destroy(): void;
}

/**
 * Opens a command without TTY and streams it both ways (SSH exec without a pseudo-terminal):
 * stdin written as it comes, stdout and stderr kept apart as they arrive, then the exit code.
 */
export async function openPipedExec(options: ExecOptions): Promise<PipedSession> {
  const { docker } = options;
  const exec = await engineCall(`exec in ${options.id}`, () =>
    api(docker)
      .getContainer(options.id)
      .exec({
        Cmd: options.cmd,
        User: options.user,
        Env: envList(options.env),
        WorkingDir: options.workingDir,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      }),
  );
  const stream = (await engineCall("start exec", () => exec.start({ hijack: true, stdin: true }))) as Duplex;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const demuxer = new Demuxer((s, data) => (s === "stderr" ? stderr : stdout).write(data));
  stream.on("data", (chunk: Buffer) => demuxer.push(chunk));
  const exited = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", () => resolve());
  }).then(() => {
    stdout.end();
    stderr.end();
    return exitCodeOf(docker, exec.id);
  });
  return { stdin: stream, stdout, stderr, exited, destroy: () => stream.destroy() };
}
