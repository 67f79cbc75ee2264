import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Chunker, GEAR, type ChunkSizes } from "./chunker";

const SMALL: ChunkSizes = { min: 2048, avg: 8192, max: 32768 };

/** Deterministic pseudo-random bytes (sha256 in counter mode). */
function bytes(n: number, seed = "slipway"): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; block++) i += createHash("sha256").update(`${seed}:${block}`).digest().copy(out, i);
  return out;
}

function chunk(data: Buffer, pieces: number[] | null, sizes = SMALL): Buffer[] {
  const chunker = new Chunker(sizes);
  const out: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = pieces ? pieces[i % pieces.length]! : data.length;
    out.push(...chunker.push(data.subarray(at, at + n)));
    at += n;
  }
  out.push(...chunker.end());
  return out;
}

const digest = (chunks: Buffer[]) => chunks.map((c) => createHash("sha256").update(c).digest("hex").slice(0, 12));

describe("content-defined chunker (FastCDC)", () => {
  const data = bytes(1 << 20);

  it("gives chunks that concatenate to the input, within the size bounds", () => {
    const chunks = chunk(data, null);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(SMALL.min);
      expect(c.length).toBeLessThanOrEqual(SMALL.max);
    }
    // Around the target average (normalized chunking keeps them close to it).
    const mean = data.length / chunks.length;
    expect(mean).toBeGreaterThan(SMALL.avg * 0.6);
    expect(mean).toBeLessThan(SMALL.avg * 2);
  });

  it("cuts at the same places however the input is split", () => {
    const whole = digest(chunk(data, null));
    expect(digest(chunk(data, [1, 7, 4093, 65536, 3]))).toEqual(whole);
    expect(digest(chunk(data, [SMALL.max + 1]))).toEqual(whole);
  });

  it("cuts at the maximum size in data with no cut point (a run of zeros)", () => {
    const chunks = chunk(Buffer.alloc(100_000), [4096]);
    expect(chunks.map((c) => c.length)).toEqual([32768, 32768, 32768, 100_000 - 3 * 32768]);
  });

  it("changes only the chunks around an insertion: the rest dedups", () => {
    const before = new Set(digest(chunk(data, [65536])));
    const middle = data.length >> 1;
    const edited = Buffer.concat([data.subarray(0, middle), Buffer.from("one new row inserted here\n"), data.subarray(middle)]);
    const after = digest(chunk(edited, [65536]));
    const changed = after.filter((d) => !before.has(d));
    expect(changed.length).toBeGreaterThanOrEqual(1);
    expect(changed.length).toBeLessThanOrEqual(2);
    // A fixed-size split would change every block after the insertion; this shares almost all of them.
    expect(after.length - changed.length).toBeGreaterThan(before.size * 0.9);
  });

  it("keeps its format: the gear table and the cut points are fixed", () => {
    // Stored chunks are found again only if tomorrow's chunker cuts where today's did.
    expect([GEAR[0], GEAR[1], GEAR[255]]).toEqual([1020716019, 454327756, -1506305628]);
    expect(
      chunk(data, null)
        .map((c) => c.length)
        .slice(0, 6),
    ).toEqual([10295, 11957, 10520, 10886, 13456, 12017]);
  });

  it("refuses inconsistent sizes", () => {
    expect(() => new Chunker({ min: 10, avg: 5, max: 20 })).toThrow(/min < avg < max/);
  });
});
