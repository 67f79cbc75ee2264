// Deduplicated blobs (ADR 0008): a stream is cut into content-defined chunks (chunker.ts), each
// chunk stored once in the store under the sha256 of its plain bytes, compressed; the blob itself
// is its chunk list (`<sha256> <size>` per line, in order). Unchanged stretches of the next day's
// dump are chunks already in the store: they are neither compressed nor written again.
//
// Encoded chunk: one byte of codec (0 = stored as is, 1 = brotli) then the payload. Brotli at
// quality 0 runs on two worker threads (compress-pool.ts), beside the chunker; reading decodes and
// checks each chunk on the same threads.
import { createHash } from "node:crypto";
import { createInterface } from "node:readline";
import { PassThrough, Readable } from "node:stream";
import { DomainError } from "@slipway/domain";
import type { BackupStore } from "../store/backup-store";
import { SHA256_RE } from "../store/backup-store";
import { chunkStream, type ChunkSizes } from "./chunker";
import { brotliOnWorkers, DamagedChunkError, decodeOnWorkers, MissingChunkError } from "./compress-pool";

const RAW = 0;
const BROTLI = 1;
/** Chunks compressed at the same time. */
const IN_FLIGHT = 4;
/** Chunks read and decoded ahead of the reader (~2 MiB of dump: a restore's pipe never waits on one chunk). */
const READ_AHEAD = 16;

export interface ChunkedBlob {
  /** The chunk list's key in the store. */
  listKey: string;
  /** sha256 of the chunk list file. */
  listSha256: string;
  /** Size and sha256 of the whole (plain) stream. */
  size: number;
  sha256: string;
  chunks: number;
  /** Chunks this write added to the store, and their stored (compressed) bytes. */
  newChunks: number;
  newStoredBytes: number;
}

export async function encodeChunk(plain: Buffer): Promise<Buffer> {
  const packed = await brotliOnWorkers(plain);
  // Incompressible data (already compressed attachments in a dump) is kept as it is.
  if (packed.length >= plain.length * 0.97) return Buffer.concat([Buffer.of(RAW), plain]);
  return Buffer.concat([Buffer.of(BROTLI), packed]);
}

/**
 * The chunk's plain bytes, decoded and checked against its hash and size on a codec thread: a
 * damaged chunk is an error, never data.
 */
export async function decodeChunk(encoded: Buffer, expected: { sha256: string; size: number }): Promise<Buffer> {
  try {
    return await decodeOnWorkers(encoded, expected);
  } catch (error) {
    if (error instanceof DamagedChunkError)
      throw new DomainError("invalid_state", `dump chunk ${expected.sha256} is damaged (${error.message})`);
    throw error;
  }
}

/** One chunk's plain bytes: a local store's file is read, decoded and checked on a codec thread. */
async function readChunk(store: BackupStore, entry: { sha256: string; size: number }): Promise<Buffer> {
  if (!store.localChunkPath) return decodeChunk(await store.getChunk(entry.sha256), entry);
  try {
    return await decodeOnWorkers({ path: store.localChunkPath(entry.sha256) }, entry);
  } catch (error) {
    if (error instanceof DamagedChunkError)
      throw new DomainError("invalid_state", `dump chunk ${entry.sha256} is damaged (${error.message})`);
    if (error instanceof MissingChunkError)
      throw new DomainError("not_found", `dump chunk ${entry.sha256} is missing from the ${store.description}`);
    throw error;
  }
}

/** Awaits the oldest promise once `max` are pending; rejections are kept for the await, never unhandled. */
function pipelineOf<T>(max: number) {
  const pending: Promise<T>[] = [];
  return {
    async add(p: Promise<T>): Promise<T | undefined> {
      p.catch(() => undefined);
      pending.push(p);
      return pending.length > max ? pending.shift()! : undefined;
    },
    async drain(): Promise<T[]> {
      const all = pending.splice(0);
      return Promise.all(all);
    },
  };
}

/**
 * Writes `body` as a deduplicated blob: chunks to the store (new ones compressed), then the chunk
 * list at `listKey`. `onData` sees every piece of the stream as it passes (row counting).
 */
export async function writeChunked(options: {
  store: BackupStore;
  listKey: string;
  body: AsyncIterable<Buffer>;
  onData?: (piece: Buffer) => Promise<void> | void;
  sizes?: ChunkSizes;
}): Promise<ChunkedBlob> {
  const { store } = options;
  const whole = createHash("sha256");
  let size = 0;
  let chunks = 0;
  let newChunks = 0;
  let newStoredBytes = 0;
  const list = new PassThrough();
  const listStored = store.put(options.listKey, list);
  listStored.catch(() => undefined);
  async function* metered(): AsyncGenerator<Buffer> {
    for await (const piece of options.body) {
      whole.update(piece);
      size += piece.length;
      if (options.onData) await options.onData(piece);
      yield piece;
    }
  }
  const storeChunk = async (sha256: string, plain: Buffer) => {
    if (await store.touchChunk(sha256)) return;
    const encoded = await encodeChunk(plain);
    if ((await store.putChunk(sha256, encoded)).created) {
      newChunks++;
      newStoredBytes += encoded.length;
    }
  };
  const work = pipelineOf<void>(IN_FLIGHT);
  try {
    for await (const chunk of chunkStream(metered(), options.sizes)) {
      const sha256 = createHash("sha256").update(chunk).digest("hex");
      chunks++;
      if (!list.write(`${sha256} ${chunk.length}\n`)) await new Promise((r) => list.once("drain", r));
      await work.add(storeChunk(sha256, chunk));
    }
    await work.drain();
  } catch (error) {
    await work.drain().catch(() => undefined);
    list.destroy();
    await listStored.catch(() => undefined);
    await store.delete(options.listKey).catch(() => undefined);
    throw error;
  }
  list.end();
  const stored = await listStored;
  return { listKey: options.listKey, listSha256: stored.sha256, size, sha256: whole.digest("hex"), chunks, newChunks, newStoredBytes };
}

/** The chunk list of a blob, line by line (streamed from the store). */
export async function* readChunkList(store: BackupStore, listKey: string): AsyncGenerator<{ sha256: string; size: number }> {
  const lines = createInterface({ input: await store.get(listKey), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === "") continue;
    const [sha256, size] = line.split(" ");
    if (!sha256 || !SHA256_RE.test(sha256) || !/^\d{1,9}$/.test(size ?? ""))
      throw new DomainError("invalid_state", `damaged chunk list ${listKey}: ${line.slice(0, 120)}`);
    yield { sha256, size: Number(size) };
  }
}

/** The blob's bytes, chunk after chunk (read and decoded a few ahead, on the codec threads), each checked. */
export function readChunked(store: BackupStore, listKey: string): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const ahead = pipelineOf<Buffer>(READ_AHEAD);
    for await (const entry of readChunkList(store, listKey)) {
      const ready = await ahead.add(readChunk(store, entry));
      if (ready) yield ready;
    }
    for (const rest of await ahead.drain()) yield rest;
  }
  return Readable.from(bytes(), { objectMode: false });
}
