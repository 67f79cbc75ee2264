import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import type { Readable } from "node:stream";
import { api, type DockerEngine } from "./engine";
import { engineCall } from "./errors";
import { createContainer, killContainer, removeContainer, startContainer, waitContainer, type ContainerSpec } from "./containers";
import { logConsumer } from "./logs";
import type { LogLine } from "./demux";

export interface RunResult {
  containerId: string;
  /** Exit code of the main process (137 after a kill). */
  exitCode: number;
  /** The wall-time limit was reached and the container was killed. */
  timedOut: boolean;
  durationMs: number;
}

export interface RunOptions {
  docker: DockerEngine;
  spec: ContainerSpec;
  /** Wall-time limit, start included. */
  timeoutMs: number;
  /** Output (stdout and stderr interleaved as they arrive) is written to this file. */
  logFile?: string;
  /** Append to `logFile` instead of truncating it. */
  appendLog?: boolean;
  onLine?: (line: LogLine) => void;
  /** Keep the stopped container (for inspection); removed by default. */
  keep?: boolean;
}

function openLog(path: string | undefined, append: boolean): WriteStream | null {
  if (!path) return null;
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: append ? "a" : "w" });
}

function closeLog(log: WriteStream | null): Promise<void> {
  return new Promise((resolve) => (log ? log.end(() => resolve()) : resolve()));
}

/** Resolves after `ms`, or never rejects; returns a cancel to clear the timer. */
function delay(ms: number): { promise: Promise<"timeout">; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * create → attach → start → stream output → wait (bounded by `timeoutMs`) → kill on timeout →
 * remove. The output is attached before the start so no early line is lost. Never leaves the
 * container behind (unless `keep`), even when the start fails.
 */
export async function runToCompletion(options: RunOptions): Promise<RunResult> {
  const { docker, spec } = options;
  const startedAt = Date.now();
  const id = await createContainer({ docker, spec });
  const log = openLog(options.logFile, options.appendLog ?? false);
  try {
    const stream = (await engineCall(`attach to ${id}`, () =>
      api(docker).getContainer(id).attach({ stream: true, stdout: true, stderr: true, logs: true }),
    )) as unknown as Readable;
    const consumer = logConsumer(
      spec.tty ?? false,
      (line) => options.onLine?.(line),
      (_s, data) => log?.write(data),
    );
    const streamDone = new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => consumer.push(chunk));
      const finish = () => {
        consumer.flush();
        resolve();
      };
      stream.once("end", finish);
      stream.once("close", finish);
      stream.once("error", finish);
    });

    await startContainer({ docker, id });
    const remaining = Math.max(0, options.timeoutMs - (Date.now() - startedAt));
    const timer = delay(remaining);
    const outcome = await Promise.race([waitContainer({ docker, id }), timer.promise]);
    timer.cancel();
    let timedOut = false;
    let exitCode: number;
    if (outcome === "timeout") {
      timedOut = true;
      await killContainer({ docker, id });
      exitCode = await waitContainer({ docker, id });
    } else {
      exitCode = outcome;
    }
    // The attach stream ends shortly after the exit; do not hang if the engine keeps it open.
    const grace = delay(5_000);
    await Promise.race([streamDone, grace.promise]);
    grace.cancel();
    stream.destroy();
    return { containerId: id, exitCode, timedOut, durationMs: Date.now() - startedAt };
  } finally {
    await closeLog(log);
    if (!options.keep) await removeContainer({ docker, id, force: true }).catch(() => undefined);
  }
}
