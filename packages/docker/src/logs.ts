import type { Readable } from "node:stream";
import { api, type DockerEngine } from "./engine";
import { engineCall } from "./errors";
import { LineSplitter, lineDemuxer, type LogLine, type StreamName } from "./demux";

export interface LogOptions {
  docker: DockerEngine;
  id: string;
  /** Unix seconds. */
  since?: number;
  /** Only the last N lines. */
  tail?: number;
}

export interface LogFollower {
  /** Resolves when the container stops or `stop()` is called. */
  done: Promise<void>;
  stop(): void;
}

async function isTty(docker: DockerEngine, id: string): Promise<boolean> {
  const info = await engineCall(`inspect container ${id}`, () => api(docker).getContainer(id).inspect());
  return Boolean(info.Config.Tty);
}

/** A consumer for raw engine log bytes: demultiplexed unless the container has a TTY. */
export function logConsumer(tty: boolean, onLine: (line: LogLine) => void, onRaw?: (stream: StreamName, data: Buffer) => void) {
  if (!tty) return lineDemuxer(onLine, onRaw);
  const splitter = new LineSplitter((line) => onLine({ stream: "stdout", line }));
  return {
    push: (chunk: Buffer) => {
      onRaw?.("stdout", chunk);
      splitter.push(chunk);
    },
    flush: () => splitter.flush(),
  };
}

/** Streams a container's log lines (demultiplexed) until it stops or `stop()` is called. */
export async function followLogs(options: LogOptions & { onLine: (line: LogLine) => void }): Promise<LogFollower> {
  const { docker, id } = options;
  const tty = await isTty(docker, id);
  const stream = (await engineCall(`follow logs of ${id}`, () =>
    (api(docker).getContainer(id).logs as unknown as (o: unknown) => Promise<unknown>)({
      follow: true,
      stdout: true,
      stderr: true,
      since: options.since ?? 0,
      tail: options.tail ?? "all",
    }),
  )) as unknown as Readable;
  const consumer = logConsumer(tty, options.onLine);
  const done = new Promise<void>((resolve) => {
    stream.on("data", (chunk: Buffer) => consumer.push(chunk));
    const finish = () => {
      consumer.flush();
      resolve();
    };
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
  });
  return { done, stop: () => stream.destroy() };
}

/** Reads the logs written so far (no follow). */
export async function readLogs(options: LogOptions): Promise<LogLine[]> {
  const { docker, id } = options;
  const tty = await isTty(docker, id);
  const raw = (await engineCall(`read logs of ${id}`, () =>
    (api(docker).getContainer(id).logs as unknown as (o: unknown) => Promise<unknown>)({
      follow: false,
      stdout: true,
      stderr: true,
      since: options.since ?? 0,
      tail: options.tail ?? "all",
    }),
  )) as unknown as Buffer;
  const lines: LogLine[] = [];
  const consumer = logConsumer(tty, (l) => lines.push(l));
  consumer.push(Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
  consumer.flush();
  return lines;
}
