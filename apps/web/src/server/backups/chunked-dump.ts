import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { brotliDecompress } from "node:zlib";
import { storePath } from "./transfer-files";

// The web's reader of a deduplicated dump in the backup store's directory (ADR 0008; the worker
// writes them: apps/worker/src/backups/engine/chunked-blob.ts). The chunk list has one
// `<sha256> <size>` line per chunk; chunk files `chunks/<aa>/<sha256>` are one codec byte
// (0 stored, 1 brotli) and the payload. Every chunk is checked against its hash before it is sent:
// a damaged one ends the download with an error instead of sending wrong bytes.

const decompress = promisify(brotliDecompress);
const AHEAD = 4;

async function chunk(root: string, sha256: string, size: number): Promise<Buffer> {
  const encoded = await readFile(storePath(root, `chunks/${sha256.slice(0, 2)}/${sha256}`));
  const plain = encoded[0] === 0 ? encoded.subarray(1) : encoded[0] === 1 ? await decompress(encoded.subarray(1)) : null;
  if (!plain || plain.length !== size || createHash("sha256").update(plain).digest("hex") !== sha256)
    throw new Error(`dump chunk ${sha256} is damaged`);
  return plain;
}

export function readChunkedDump(root: string, listKey: string): Readable {
  async function* bytes(): AsyncGenerator<Buffer> {
    const pending: Promise<Buffer>[] = [];
    const lines = createInterface({ input: createReadStream(storePath(root, listKey)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === "") continue;
      const [sha256, size] = line.split(" ");
      if (!/^[0-9a-f]{64}$/.test(sha256 ?? "") || !/^\d{1,9}$/.test(size ?? "")) throw new Error(`damaged chunk list ${listKey}`);
      const next = chunk(root, sha256!, Number(size));
      next.catch(() => undefined);
      pending.push(next);
      if (pending.length > AHEAD) yield await pending.shift()!;
    }
    for (const rest of pending) yield await rest;
  }
  return Readable.from(bytes(), { objectMode: false });
}
