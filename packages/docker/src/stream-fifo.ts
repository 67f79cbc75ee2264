import { execFile } from "node:child_process";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import type { DockerEngine } from "./engine";
import { killContainer, type ContainerSpec } from "./containers";
import { runStreaming, type StreamRunResult } from "./stream-container";

const run = promisify(execFile);
const MOUNT = "/run/slipway-io";

/**
 * runStreaming with stdin/stdout moved off the Docker attach connection onto named pipes in a
 * bind-mounted folder: the engine copies attach streams at a few tens of MB/s, pipes run at disk
 * speed. Same contract as runStreaming (streams, backpressure, container always removed); stderr
 * still comes through the attach. Needs `sh` in the image and an `ioDir` on the engine's host.
 */
export async function runStreamingViaFifos(options: {
  docker: DockerEngine;
  spec: ContainerSpec;
  /** A folder on the Docker host (the worker's machine) for the pipes; a subfolder is made and removed. */
  ioDir: string;
  stdin?: Readable;
  stdout?: Writable;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<StreamRunResult> {
  const dir = await mkdtemp(join(options.ioDir, "io-"));
  await chmod(dir, 0o777); // the process may run as any user of the image
  const inPath = join(dir, "in");
  const outPath = join(dir, "out");
  try {
    await run("mkfifo", ["-m", "0666", inPath, outPath]);
    const command = [...(options.spec.entrypoint ?? []), ...(options.spec.cmd ?? [])];
    const io = `<${options.stdin ? `${MOUNT}/in` : "/dev/null"} >${options.stdout ? `${MOUNT}/out` : "/dev/null"}`;
    // A pipe holds 64 KiB: on a busy machine every 64 KiB waits for the reader to be scheduled
    // (measured: 300 MB in 25-35 s at a load of 25). perl (Debian's essential perl-base) raises
    // both pipes to 1 MiB (F_SETPIPE_SZ = 1031; /dev/null ignores it), then execs the command.
    const redirect = [
      `if command -v perl >/dev/null 2>&1; then`,
      `exec perl -e 'fcntl(STDIN, 1031, 1048576); fcntl(STDOUT, 1031, 1048576); exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\\n"' "$@" ${io}`,
      `else exec "$@" ${io}; fi`,
    ].join("\n");
    const spec: ContainerSpec = {
      ...options.spec,
      entrypoint: ["sh", "-c", redirect, "sh", ...command],
      cmd: [],
      mounts: [...(options.spec.mounts ?? []), { type: "bind", source: dir, target: MOUNT }],
    };
    // Opening a pipe blocks until the other side opens it: started now, released below if the
    // process never opens its side (it failed first).
    const pumps: Promise<void>[] = [];
    if (options.stdout) pumps.push(pipeline(createReadStream(outPath, { highWaterMark: 1 << 20 }), options.stdout));
    if (options.stdin) pumps.push(pipeline(options.stdin, createWriteStream(inPath)));
    let containerId: string | null = null;
    const pumping = Promise.all(pumps);
    // Settled into a value at once, so a failure while the container runs is never "unhandled".
    const pumped = pumping.then(
      () => null,
      async (error: unknown) => {
        // A process that exits without reading all its input is a result (exit code), not an error.
        if ((error as NodeJS.ErrnoException).code === "EPIPE") return null;
        if (containerId) await killContainer({ docker: options.docker, id: containerId });
        return error;
      },
    );
    let result: StreamRunResult;
    try {
      result = await runStreaming({
        docker: options.docker,
        spec,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        onCreated: (id) => (containerId = id),
      });
    } finally {
      await releasePipes(inPath, outPath, Boolean(options.stdin), Boolean(options.stdout));
    }
    const error = await pumped;
    if (error) throw error;
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Opens the far side of each pipe once, without blocking, so a pending open of ours returns. */
async function releasePipes(inPath: string, outPath: string, stdin: boolean, stdout: boolean): Promise<void> {
  const poke = async (path: string, flags: number) => {
    try {
      const handle = await open(path, flags | constants.O_NONBLOCK);
      await handle.close();
    } catch {
      // ENXIO: nobody waiting on the other side; nothing to release.
    }
  };
  if (stdout) await poke(outPath, constants.O_WRONLY);
  if (stdin) await poke(inPath, constants.O_RDONLY);
}
