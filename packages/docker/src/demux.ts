export type StreamName = "stdout" | "stderr";

export interface LogLine {
  stream: StreamName;
  line: string;
}

/**
 * Splits Docker's multiplexed stream (non-TTY containers and execs): frames of an 8-byte header
 * (stream type, 3 zero bytes, big-endian payload size) followed by the payload. Frames can be cut
 * anywhere across chunks, so bytes are buffered until a frame is complete.
 */
export class Demuxer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: StreamName, data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const type = this.buffer[0];
      const payload = this.buffer.subarray(8, 8 + size);
      this.buffer = this.buffer.subarray(8 + size);
      // 0 = stdin echo (never with our options), 1 = stdout, 2 = stderr.
      this.onFrame(type === 2 ? "stderr" : "stdout", payload);
    }
  }
}

/** Turns chunks into complete lines (without the newline, `\r` dropped); `flush` emits the rest. */
export class LineSplitter {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");

  constructor(private readonly onLine: (line: string) => void) {}

  push(data: Buffer): void {
    this.pending += this.decoder.decode(data, { stream: true });
    let index = this.pending.indexOf("\n");
    while (index >= 0) {
      this.onLine(this.pending.slice(0, index).replace(/\r$/, ""));
      this.pending = this.pending.slice(index + 1);
      index = this.pending.indexOf("\n");
    }
  }

  flush(): void {
    this.pending += this.decoder.decode();
    if (this.pending.length > 0) this.onLine(this.pending.replace(/\r$/, ""));
    this.pending = "";
  }
}

/** Demuxer + one line splitter per stream: the usual way to consume container output. */
export function lineDemuxer(onLine: (line: LogLine) => void, onRaw?: (stream: StreamName, data: Buffer) => void) {
  const splitters = {
    stdout: new LineSplitter((line) => onLine({ stream: "stdout", line })),
    stderr: new LineSplitter((line) => onLine({ stream: "stderr", line })),
  };
  const demuxer = new Demuxer((stream, data) => {
    onRaw?.(stream, data);
    splitters[stream].push(data);
  });
  return {
    push: (chunk: Buffer) => demuxer.push(chunk),
    flush: () => {
      splitters.stdout.flush();
      splitters.stderr.flush();
    },
  };
}
