// Brotli (quality 0) of dump chunks on worker threads of our own, not on libuv's thread pool:
// the pool (4 threads) also serves every file and named-pipe read and write of the backup, which
// would otherwise wait behind compressions (measured: the filestore phase stalled with them).
// Quality 0, not 1 (issue 18, measured on dump text in 128 KiB chunks): 809 MB/s against 521 MB/s
// per thread for 15.2 % against 13.7 % of the size — on 2 shared cores the CPU matters more than
// 1.5 points of ratio. Any quality decodes with the same decoder: older chunks stay readable.
import { Worker } from "node:worker_threads";

const SOURCE = `
const { parentPort } = require("node:worker_threads");
const { brotliCompressSync, constants } = require("node:zlib");
parentPort.on("message", ({ id, data }) => {
  try {
    const packed = brotliCompressSync(data, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    parentPort.postMessage({ id, packed });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Pending = { resolve: (b: Buffer) => void; reject: (e: Error) => void };

class CompressPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Which worker has each pending compression. */
  private readonly owner = new Map<number, Worker>();
  private nextId = 0;
  private turn = 0;

  constructor(private readonly size: number) {}

  private worker(): Worker {
    const index = this.turn++ % this.size;
    let worker = this.workers[index];
    if (!worker) {
      worker = new Worker(SOURCE, { eval: true });
      worker.unref(); // never keeps the process alive
      worker.on("message", (m: { id: number; packed?: Uint8Array; error?: string }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.error !== undefined || !m.packed) p.reject(new Error(`compression failed: ${m.error ?? "no output"}`));
        else p.resolve(Buffer.from(m.packed.buffer, m.packed.byteOffset, m.packed.byteLength));
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
      worker.on("exit", (code) => failed(new Error(`compression worker exited (${code})`)));
      this.workers[index] = worker;
    }
    return worker;
  }

  compress(data: Buffer): Promise<Buffer> {
    const id = this.nextId++;
    const worker = this.worker();
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, {
        resolve: (b) => (this.owner.delete(id), resolve(b)),
        reject: (e) => (this.owner.delete(id), reject(e)),
      });
      this.owner.set(id, worker);
      worker.postMessage({ id, data });
    });
  }
}

/** Two threads: with the chunker on the main thread, that is the machine's two cores. */
let pool: CompressPool | null = null;
export function brotliOnWorkers(data: Buffer): Promise<Buffer> {
  pool ??= new CompressPool(2);
  return pool.compress(data);
}
