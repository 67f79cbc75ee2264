import { Transform, type Duplex, type Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { api, type DockerEngine } from "./engine";
import { engineCall } from "./errors";
import { createContainer, killContainer, removeContainer, startContainer, waitContainer, type ContainerSpec } from "./containers";
import { Demuxer } from "./demux";

export interface StreamRunResult {
  exitCode: number;
  timedOut: boolean;
  /** The last 64 KiB of the container's stderr (messages of pg_dump, tar …). */
  stderr: string;
  durationMs: number;
}

const STDERR_KEPT = 64 * 1024;

/**
 * Runs a one-off container whose stdin and/or stdout are byte streams (dumps, tar archives),
 * with backpressure both ways: nothing is held in memory beyond stream buffers. stdout goes to
 * `stdout` (raw bytes, demultiplexed from stderr); stdin is read from `stdin` and closed at its
 * end (the process sees EOF). The container is always removed. Rejects only when the engine or
 * one of the streams fails (the container is killed then); a non-zero exit is a result.
 */
export async function runStreaming(options: {
  docker: DockerEngine;
  spec: ContainerSpec;
  stdin?: Readable;
  stdout?: Writable;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with the container id once created (before the start). */
  onCreated?: (id: string) => void;
}): Promise<StreamRunResult> {
  const { docker } = options;
  const started = Date.now();
  const spec: ContainerSpec = { ...options.spec, tty: false, openStdin: Boolean(options.stdin), stdinOnce: Boolean(options.stdin) };
  const id = await createContainer({ docker, spec });
  options.onCreated?.(id);
  let stderr = "";
  let timedOut = false;
  const onAbort = () => void killContainer({ docker, id });
  try {
    const conn = (await engineCall(`attach to ${id}`, () =>
      api(docker)
        .getContainer(id)
        .attach({ stream: true, hijack: Boolean(options.stdin), stdin: Boolean(options.stdin), stdout: true, stderr: true }),
    )) as unknown as Duplex;
    const demux = new Demuxer((stream, data) => {
      if (stream === "stderr") stderr = (stderr + data.toString("utf8")).slice(-STDERR_KEPT);
      else out.push(data);
    });
    const out = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        demux.push(chunk);
        callback();
      },
    });
    const sink = options.stdout ?? devNull();
    const output = pipeline(conn, out, sink);
    let exitedNow: () => void = () => undefined;
    const stop = Promise.race([
      new Promise<void>((resolve) => conn.once("close", resolve)),
      new Promise<void>((resolve) => (exitedNow = resolve)),
    ]);
    const input = options.stdin ? feed(options.stdin, conn, stop) : Promise.resolve();
    // A failing stream must not leave the container blocked on a pipe.
    const guarded = Promise.all([output, input]).catch(async (error: unknown) => {
      await killContainer({ docker, id });
      throw error;
    });
    options.signal?.addEventListener("abort", onAbort, { once: true });
    await startContainer({ docker, id });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      if (options.timeoutMs) timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
    });
    const exited = await Promise.race([
      waitContainer({ docker, id }).finally(() => exitedNow()),
      timeout,
      guarded.then(() => new Promise<never>(() => undefined)),
    ]);
    clearTimeout(timer);
    let exitCode: number;
    if (exited === "timeout") {
      timedOut = true;
      await killContainer({ docker, id });
      exitCode = await waitContainer({ docker, id });
      conn.destroy();
      await guarded.catch(() => undefined);
    } else {
      exitCode = exited;
      await guarded;
    }
    if (options.signal?.aborted) throw new Error("aborted");
    return { exitCode, timedOut, stderr, durationMs: Date.now() - started };
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await removeContainer({ docker, id, force: true }).catch(() => undefined);
  }
}

/**
 * Writes stdin by hand (not piped) so the half-close is ours and the socket stays readable. When
 * the process exits without reading everything (an error), the rest is dropped, not awaited.
 */
async function feed(source: Readable, conn: Duplex, stop: Promise<void>): Promise<void> {
  let gone = false;
  void stop.then(() => (gone = true));
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (gone) break;
    if (!conn.write(chunk)) await Promise.race([new Promise((r) => conn.once("drain", r)), stop]);
  }
  if (gone) source.destroy();
  // Half-close: the process sees EOF (or, when it already exited, the engine ends the output).
  if (!conn.destroyed) conn.end();
}

function devNull(): Writable {
  return new Transform({ transform: (_c, _e, cb) => cb() }).resume();
}
