// The codec of dump chunks runs on worker threads of our own, not on the main thread nor on libuv's
// thread pool: the pool (4 threads) also serves every file and named-pipe read and write of a backup
// or a restore, which would otherwise wait behind compressions (measured: the filestore phase stalled
// with them), and the main thread feeds pg_restore and the filestore's tar stream.
// - Backups: brotli quality 0 (issue 18, measured on dump text in 128 KiB chunks): 809 MB/s against
//   521 MB/s per thread for quality 1, 15.2 % against 13.7 % of the size — on 2 shared cores the CPU
//   matters more than 1.5 points of ratio. Any quality decodes with the same decoder: older chunks
//   stay readable.
// - Restores: decoding AND the sha256 check of each chunk (issue 18: on the main thread through
//   node:zlib's async API, 16 KiB of output per thread-pool round trip, the reassembly cost ~7 ms of
//   CPU per MiB, twice what the decoding itself costs; here one synchronous call per chunk, into a
//   buffer of the chunk's known size, handed back without a copy).
import { Worker } from "node:worker_threads";

const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { brotliCompressSync, brotliDecompressSync, constants } = require("node:zlib");
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
function compress(data) {
  return brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
}
// Encoded chunk: codec byte (0 stored, 1 brotli) + payload. Never more than the expected size + 1
// byte is produced: a damaged chunk cannot blow up the memory, and a longer one is caught.
function decode(encoded, sha256, size) {
  const payload = Buffer.from(encoded.buffer, encoded.byteOffset + 1, Math.max(0, encoded.byteLength - 1));
  let plain;
  try {
    if (encoded[0] === 0) plain = payload;
    else if (encoded[0] === 1) plain = brotliDecompressSync(payload, { chunkSize: Math.max(64, size + 1), maxOutputLength: size + 1 });
    else return { damaged: "unknown chunk codec " + (encoded.byteLength > 0 ? encoded[0] : "none") };
  } catch (error) {
    return { damaged: String((error && error.message) || error) };
  }
  if (plain.length !== size || createHash("sha256").update(plain).digest("hex") !== sha256)
    return { damaged: "content does not match its checksum" };
  return { plain };
}
parentPort.on("message", (m) => {
  try {
    if (m.op === "compress") return parentPort.postMessage({ id: m.id, data: compress(m.data) });
    let encoded = m.data;
    if (m.path !== undefined) {
      try {
        encoded = readFileSync(m.path);
      } catch (error) {
        if (error && error.code === "ENOENT") return parentPort.postMessage({ id: m.id, missing: true });
        throw error;
      }
    }
    const r = decode(encoded, m.sha256, m.size);
    if (r.damaged !== undefined) return parentPort.postMessage({ id: m.id, damaged: r.damaged });
    // Larger than Node's 8 KiB pool: the buffer owns its memory, which moves to the main thread.
    const own = r.plain.byteLength > Buffer.poolSize;
    parentPort.postMessage({ id: m.id, data: r.plain }, own ? [r.plain.buffer] : []);
  } catch (error) {
    parentPort.postMessage({ id: m.id, error: String((error && error.message) || error) });
  }
});
`;

/** A chunk whose content is not what its list says (decoding failed, or wrong size or sha256). */
export class DamagedChunkError extends Error {}
/** A chunk file that does not exist. */
export class MissingChunkError extends Error {}

type Reply = { id: number; data?: Uint8Array; error?: string; damaged?: string; missing?: true };
type Pending = { resolve: (b: Buffer) => void; reject: (e: Error) => void };

class CodecPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Which worker has each pending job. */
  private readonly owner = new Map<number, Worker>();
  private nextId = 0;
  private turn = 0;

  constructor(private readonly size: number) {}

  private worker(): Worker {
    const index = this.turn++ % this.size;
    let worker = this.workers[index];
    if (!worker) {
      worker = new Worker(SOURCE, { eval: true });
      worker.on("message", (m: Reply) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.damaged !== undefined) p.reject(new DamagedChunkError(m.damaged));
        else if (m.missing) p.reject(new MissingChunkError("missing"));
        else if (m.error !== undefined || !m.data) p.reject(new Error(`chunk codec failed: ${m.error ?? "no output"}`));
        else p.resolve(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
      });
      const failed = (error: Error) => {
        // Whatever was sent to this worker fails; the next call starts a new one.
        for (const [id, p] of this.pending) {
          if (this.owner.get(id) !== worker) continue;
          this.pending.delete(id);
          p.reject(error);
        }
        if (this.workers[index] === worker) this.workers[index] = undefined as unknown as Worker;
      };
      worker.on("error", failed);
      worker.on("exit", (code) => failed(new Error(`chunk codec worker exited (${code})`)));
      // Keeps the process alive only while it has work (see run); after the listeners, which ref it.
      worker.unref();
      this.workers[index] = worker;
    }
    return worker;
  }

  run(message: Record<string, unknown>): Promise<Buffer> {
    const id = this.nextId++;
    const worker = this.worker();
    const settled = () => {
      this.owner.delete(id);
      if (![...this.owner.values()].includes(worker)) worker.unref();
    };
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (b) => (settled(), resolve(b)),
        reject: (e) => (settled(), reject(e)),
      });
      this.owner.set(id, worker);
      worker.ref();
      worker.postMessage({ ...message, id });
    });
  }
}

/** Two threads: with the chunker (or the restore's streams) on the main thread, that is the machine's two cores. */
let pool: CodecPool | null = null;
const codecPool = () => (pool ??= new CodecPool(2));

export function brotliOnWorkers(data: Buffer): Promise<Buffer> {
  return codecPool().run({ op: "compress", data });
}

/**
 * An encoded chunk's plain bytes, decoded and checked against its sha256 and size on a worker
 * thread; DamagedChunkError when they do not match (never wrong bytes). The chunk is given as its
 * bytes, or as the path of its file (read on the worker thread; MissingChunkError when absent).
 */
export function decodeOnWorkers(encoded: Buffer | { path: string }, expected: { sha256: string; size: number }): Promise<Buffer> {
  const source = Buffer.isBuffer(encoded) ? { data: encoded } : { path: encoded.path };
  return codecPool().run({ op: "decode", ...source, sha256: expected.sha256, size: expected.size });
}
