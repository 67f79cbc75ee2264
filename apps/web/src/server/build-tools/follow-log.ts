import { watch, type FSWatcher } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";

const encoder = new TextEncoder();
/** The initial tail is read from at most this many bytes at the end of the file. */
const TAIL_BYTES = 1024 * 1024;
/** New lines are sent at most this much at once (a burst of output is split). */
const CHUNK_BYTES = 256 * 1024;

export interface FollowLogOptions {
  file: string;
  /** Lines of the initial tail. */
  tailLines: number;
  signal: AbortSignal;
  /** The stream ends (event "stopped") after this long: following stops after 5 min of viewing. */
  maxMs?: number;
  /** Safety poll besides fs.watch (which may miss events on some file systems). */
  pollMs?: number;
  pingMs?: number;
}

/**
 * A Server-Sent Events stream following a log file like `tail -F`:
 *   event: lines   data: ["…", …]   the last `tailLines` lines, then each batch of new lines
 *   event: reset   data: {}         the file was truncated or replaced: the view starts over
 *   event: stopped data: {"afterMs"} following ended after `maxMs` (the page offers to resume)
 * Only whole lines are sent (a line still being written waits for its newline). New data is
 * noticed through fs.watch on the folder (it sees the file appear, grow, be replaced) plus a poll.
 */
export function followLogStream(options: FollowLogOptions): ReadableStream<Uint8Array> {
  const { file, signal } = options;
  const maxMs = options.maxMs ?? 5 * 60_000;
  let offset = 0;
  let inode: number | null = null;
  let partial = "";
  let closed = false;
  let reading = false;
  let again = false;
  let watcher: FSWatcher | undefined;
  const timers: NodeJS.Timeout[] = [];

  return new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (event: string, data: unknown) => {
        if (!closed) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
      };
      const close = () => {
        if (closed) return;
        closed = true;
        watcher?.close();
        for (const t of timers) clearInterval(t);
        signal.removeEventListener("abort", close);
        try {
          controller.close();
        } catch {
          /* the consumer already cancelled */
        }
      };

      const readNew = async (initial: boolean) => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const st = await stat(file).catch(() => null);
            if (!st || closed) continue;
            if ((inode !== null && st.ino !== inode) || st.size < offset) {
              // Rotated (a new file under the name) or truncated: start over from its beginning.
              offset = 0;
              partial = "";
              if (inode !== null) send("reset", {});
            }
            inode = st.ino;
            if (initial && offset === 0 && st.size > TAIL_BYTES) offset = st.size - TAIL_BYTES;
            if (st.size === offset) continue;
            const handle = await open(file, "r");
            try {
              while (offset < st.size && !closed) {
                // The initial tail in one read (≤ TAIL_BYTES), so its last lines are the file's last.
                const length = initial ? st.size - offset : Math.min(CHUNK_BYTES, st.size - offset);
                const buffer = Buffer.alloc(length);
                const { bytesRead } = await handle.read(buffer, 0, length, offset);
                if (bytesRead === 0) break;
                offset += bytesRead;
                const text = partial + buffer.subarray(0, bytesRead).toString("utf8");
                const lines = text.split("\n");
                partial = lines.pop() ?? "";
                if (initial) {
                  // The first line of a tail read from the middle of the file is cut: dropped.
                  if (st.size > TAIL_BYTES && lines.length) lines.shift();
                  send("lines", lines.slice(-options.tailLines));
                  initial = false;
                } else if (lines.length) send("lines", lines);
              }
            } finally {
              await handle.close();
            }
          } while (again && !closed);
        } catch {
          /* a file replaced mid-read is picked up by the next event */
        } finally {
          reading = false;
        }
        if (initial && !closed) send("lines", []);
      };

      signal.addEventListener("abort", close);
      if (signal.aborted) return close();
      controller.enqueue(encoder.encode("retry: 3000\n\n"));
      try {
        // The folder, not the file: it also sees the file created or replaced under its name.
        watcher = watch(path.dirname(file), (_event, name) => {
          if (!name || name === path.basename(file)) void readNew(false);
        });
        watcher.on("error", () => undefined);
      } catch {
        /* no log folder yet: the poll below covers it */
      }
      void readNew(true);
      timers.push(setInterval(() => void readNew(false), options.pollMs ?? 1_000));
      timers.push(setInterval(() => !closed && controller.enqueue(encoder.encode(": ping\n\n")), options.pingMs ?? 15_000));
      timers.push(
        setInterval(() => {
          send("stopped", { afterMs: maxMs });
          close();
        }, maxMs),
      );
    },
    cancel() {
      closed = true;
      watcher?.close();
      for (const t of timers) clearInterval(t);
    },
  });
}
