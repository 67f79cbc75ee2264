// Content-defined chunking (FastCDC, Xia et al. 2016: gear hash, cut-point skipping below the
// minimum size, normalized chunking with a stricter mask before the average size and a looser one
// after it). Cut points depend on the bytes around them only, so data inserted or removed in the
// middle of a dump changes the chunks around the change and nothing else: unchanged stretches of
// the next day's dump give the same chunks and are stored once (as restic and borg do).

/** Sizes of the chunks (bytes): minimum, target average, maximum. */
export interface ChunkSizes {
  min: number;
  avg: number;
  max: number;
}

/** 32 KiB / 128 KiB / 512 KiB: ~8,000 chunks per GiB of dump. */
export const DEFAULT_CHUNK_SIZES: ChunkSizes = { min: 32 * 1024, avg: 128 * 1024, max: 512 * 1024 };

/** 256 fixed pseudo-random 32-bit values (splitmix32 from a constant seed): part of the format. */
export const GEAR: Int32Array = (() => {
  const table = new Int32Array(256);
  let state = 0x9e3779b9;
  for (let i = 0; i < 256; i++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = z ^ (z >>> 16);
  }
  return table;
})();

/** `bits` one-bits at the top of a 32-bit word: the bits of a gear hash that depend on the most bytes. */
function topMask(bits: number): number {
  return bits <= 0 ? 0 : (~0 << (32 - bits)) | 0;
}

/**
 * A streaming chunker: `push` bytes in any pieces, get back the chunks completed so far; `end`
 * returns the last one. The same bytes give the same chunks however they were split on input.
 */
export class Chunker {
  private readonly min: number;
  private readonly avg: number;
  private readonly max: number;
  private readonly maskS: number;
  private readonly maskL: number;
  private pieces: Buffer[] = [];
  /** Bytes of the current chunk held in `pieces`. */
  private size = 0;
  private hash = 0;

  constructor(sizes: ChunkSizes = DEFAULT_CHUNK_SIZES) {
    if (!(sizes.min > 0 && sizes.min < sizes.avg && sizes.avg < sizes.max)) throw new Error("chunk sizes must be 0 < min < avg < max");
    this.min = sizes.min;
    this.avg = sizes.avg;
    this.max = sizes.max;
    const bits = Math.round(Math.log2(sizes.avg));
    // Normalization level 2: two bits harder before the average, two bits easier after it.
    this.maskS = topMask(bits + 2);
    this.maskL = topMask(bits - 2);
  }

  push(data: Buffer): Buffer[] {
    const out: Buffer[] = [];
    const n = data.length;
    let start = 0; // first byte of `data` not yet in an emitted chunk
    let i = 0;
    let h = this.hash;
    while (i < n) {
      // Position of data[i] in the current chunk.
      let pos = this.size + (i - start);
      if (pos < this.min) {
        // Cut-point skipping: no cut before the minimum size, so no hashing either.
        i += Math.min(n - i, this.min - pos);
        continue;
      }
      let cut = -1;
      const { maskS, maskL } = this;
      const normalEnd = Math.min(n, i + Math.max(0, this.avg - pos));
      for (; i < normalEnd; i++) {
        h = ((h << 1) + GEAR[data[i]!]!) | 0;
        if ((h & maskS) === 0) {
          cut = i + 1;
          break;
        }
      }
      if (cut < 0 && i < n) {
        pos = this.size + (i - start);
        const hardEnd = Math.min(n, i + (this.max - pos));
        for (; i < hardEnd; i++) {
          h = ((h << 1) + GEAR[data[i]!]!) | 0;
          if ((h & maskL) === 0) {
            cut = i + 1;
            break;
          }
        }
        if (cut < 0 && this.size + (i - start) >= this.max) cut = i;
      }
      if (cut >= 0) {
        this.pieces.push(data.subarray(start, cut));
        out.push(this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces));
        this.pieces = [];
        this.size = 0;
        h = 0;
        start = cut;
        i = cut;
      }
    }
    if (start < n) {
      this.pieces.push(data.subarray(start));
      this.size += n - start;
    }
    this.hash = h;
    return out;
  }

  end(): Buffer[] {
    if (this.size === 0) return [];
    const last = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    this.pieces = [];
    this.size = 0;
    this.hash = 0;
    return [last];
  }
}

/**
 * Chunks of a byte stream, as they complete. Chunks may be views of the input's buffers: fine for
 * streams (a readable never reuses a buffer it emitted).
 */
export async function* chunkStream(input: AsyncIterable<Buffer>, sizes?: ChunkSizes): AsyncGenerator<Buffer> {
  const chunker = new Chunker(sizes);
  for await (const piece of input) {
    for (const chunk of chunker.push(piece)) yield chunk;
  }
  for (const chunk of chunker.end()) yield chunk;
}
