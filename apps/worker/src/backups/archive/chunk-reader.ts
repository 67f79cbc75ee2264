/**
 * Pulls exact byte counts out of a chunked stream (tar headers, zip records) without copying more
 * than one chunk at a time; file bodies are handed on chunk by chunk.
 */
export class ChunkReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Buffers until `n` bytes are available; false when the stream ended first. */
  private async fill(n: number): Promise<boolean> {
    while (this.length < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        this.chunks.push(next.value);
        this.length += next.value.length;
      }
    }
    return this.length >= n;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    return out;
  }

  /** Exactly `n` bytes, or null when the stream ends before (a truncated archive). */
  async readExact(n: number): Promise<Buffer | null> {
    if (n === 0) return Buffer.alloc(0);
    return (await this.fill(n)) ? this.take(n) : null;
  }

  /** Between 1 and `max` bytes, or null at the end of the stream. */
  async readUpTo(max: number): Promise<Buffer | null> {
    if (!(await this.fill(1))) return null;
    const first = this.chunks[0]!;
    return this.take(Math.min(max, first.length));
  }

  /** Skips `n` bytes; false when the stream ended first. */
  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      const chunk = await this.readUpTo(Math.min(left, 1 << 20));
      if (!chunk) return false;
      left -= chunk.length;
    }
    return true;
  }

  /** Yields exactly `n` bytes as chunks; throws when the stream ends before. */
  async *body(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const chunk = await this.readUpTo(Math.min(left, 1 << 20));
      if (!chunk) throw new Error(`${what} is truncated`);
      left -= chunk.length;
      yield chunk;
    }
  }
}
