import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { LocalBackupStore } from "../store/local-store";
import { readChunked, readChunkList, writeChunked } from "./chunked-blob";

const tmp = mkdtempSync(join(tmpdir(), "slipway-chunked-"));
const store = new LocalBackupStore(join(tmp, "store"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Dump-like text: compressible, every line different. */
function rows(from: number, to: number): Buffer {
  const lines: string[] = [];
  for (let i = from; i < to; i++) lines.push(`${i}\t${createHash("md5").update(String(i)).digest("hex").repeat(4)}\n`);
  return Buffer.from(lines.join(""));
}

async function read(listKey: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of readChunked(store, listKey)) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

const pieces = (b: Buffer) => Readable.from([b.subarray(0, 100_000), b.subarray(100_000)]);
const chunkFiles = () => readdirSync(join(tmp, "store", "chunks")).flatMap((d) => readdirSync(join(tmp, "store", "chunks", d)));

describe("deduplicated blobs", () => {
  const day1 = rows(0, 60_000);
  let first: Awaited<ReturnType<typeof writeChunked>>;

  it("stores a stream as compressed chunks and reads it back", async () => {
    first = await writeChunked({ store, listKey: "backups/a/dump.chunks", body: pieces(day1) });
    expect(first.size).toBe(day1.length);
    expect(first.sha256).toBe(createHash("sha256").update(day1).digest("hex"));
    expect(first.newChunks).toBe(first.chunks);
    expect(first.chunks).toBeGreaterThan(5);
    expect(first.newStoredBytes).toBeLessThan(day1.length / 2); // compressed
    expect((await read(first.listKey)).equals(day1)).toBe(true);
  });

  it("stores the same stream again for (almost) nothing, and a grown one for its new end only", async () => {
    const again = await writeChunked({ store, listKey: "backups/b/dump.chunks", body: Readable.from([day1]) });
    expect([again.newChunks, again.newStoredBytes, again.sha256]).toEqual([0, 0, first.sha256]);
    const day2 = Buffer.concat([day1, rows(60_000, 60_500)]);
    const grown = await writeChunked({ store, listKey: "backups/c/dump.chunks", body: pieces(day2) });
    expect(grown.newChunks).toBeLessThanOrEqual(2);
    expect((await read(grown.listKey)).equals(day2)).toBe(true);
  });

  it("refuses a damaged chunk instead of returning wrong bytes, and names a missing one", async () => {
    const list: { sha256: string }[] = [];
    for await (const c of readChunkList(store, first.listKey)) list.push(c);
    const victim = join(tmp, "store", "chunks", list[2]!.sha256.slice(0, 2), list[2]!.sha256);
    const good = readFileSync(victim);
    const bad = Buffer.from(good);
    bad[bad.length - 3]! ^= 0xff;
    writeFileSync(victim, bad);
    await expect(read(first.listKey)).rejects.toThrow(/dump chunk [0-9a-f]{64} is damaged/);
    rmSync(victim);
    await expect(read(first.listKey)).rejects.toThrow(/is missing/);
    writeFileSync(victim, good);
    expect((await read(first.listKey)).equals(day1)).toBe(true);
  });

  it("keeps chunks private to the platform's user", () => {
    const name = chunkFiles()[0]!;
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(tmp, "store", "chunks", name.slice(0, 2), name)).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp, "store", "chunks", name.slice(0, 2))).mode & 0o777).toBe(0o700);
  });
});
