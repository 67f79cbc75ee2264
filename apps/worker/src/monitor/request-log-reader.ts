import { open } from "node:fs/promises";
import { summarizeRequests, type RequestSummary } from "@slipway/domain";

/** At most this much new log is read per sample; beyond it, the oldest part is skipped. */
const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Reads the request lines Odoo appended to odoo.log since the previous call (per file offsets
 * kept in memory). The first call for a file starts at its end: only traffic from now on counts.
 * A file that shrank (rotated or truncated) is read again from its start.
 */
export class RequestLogReader {
  private readonly offsets = new Map<string, number>();

  async read(file: string): Promise<RequestSummary> {
    const empty: RequestSummary = { requests: 0, errors: 0, avgResponseMs: null, maxResponseMs: null };
    let handle;
    try {
      handle = await open(file, "r");
    } catch {
      return empty;
    }
    try {
      const { size } = await handle.stat();
      const known = this.offsets.get(file);
      if (known === undefined) {
        this.offsets.set(file, size);
        return empty;
      }
      let start = known > size ? 0 : known;
      if (size - start > MAX_READ_BYTES) start = size - MAX_READ_BYTES;
      const buffer = Buffer.alloc(size - start);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      const text = buffer.subarray(0, bytesRead).toString("utf8");
      // Only whole lines: a line still being written is read next time.
      const lastNewline = text.lastIndexOf("\n");
      if (lastNewline < 0) return empty;
      this.offsets.set(file, start + Buffer.byteLength(text.slice(0, lastNewline + 1)));
      return summarizeRequests(text.slice(0, lastNewline).split("\n"));
    } finally {
      await handle.close();
    }
  }

  forget(file: string): void {
    this.offsets.delete(file);
  }
}
