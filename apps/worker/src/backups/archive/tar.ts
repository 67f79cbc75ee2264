// A small tar (ustar + GNU long names + pax `path`/`size`) reader and writer: the filestore moves
// between the Odoo data volume (a helper container runs GNU tar) and the backup store as a tar
// stream, one entry at a time, never whole in memory.
import { Readable } from "node:stream";
import { ChunkReader } from "./chunk-reader";

export type TarEntryType = "file" | "directory" | "symlink" | "hardlink" | "other";

export interface TarEntry {
  path: string;
  type: TarEntryType;
  size: number;
  mode: number;
  mtime: Date;
  linkName: string;
}

const BLOCK = 512;
const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString("utf8");
}

function number(block: Buffer, start: number, length: number): number {
  const raw = block.subarray(start, start + length);
  if ((raw[0]! & 0x80) !== 0) {
    // GNU base-256 for values that do not fit in octal.
    let value = raw[0]! & 0x7f;
    for (let i = 1; i < raw.length; i++) value = value * 256 + raw[i]!;
    return value;
  }
  const s = text(block, start, length).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum;
}

const types: Record<string, TarEntryType> = { "0": "file", "\0": "file", "7": "file", "5": "directory", "2": "symlink", "1": "hardlink" };

function parsePax(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = body;
  while (rest.length > 0) {
    const space = rest.indexOf(" ");
    const length = Number(rest.slice(0, space));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = Buffer.from(rest).subarray(0, length).toString("utf8");
    const [key, ...value] = record.slice(space + 1, -1).split("=");
    if (key) out[key] = value.join("=");
    rest = Buffer.from(rest).subarray(length).toString("utf8");
  }
  return out;
}

/**
 * Reads a tar stream; `onEntry` gets each entry with its body (only files have one), valid until
 * the handler returns. A body the handler leaves unread is skipped. Throws on a truncated stream or a damaged header.
 */
export async function readTar(
  source: AsyncIterable<Buffer>,
  onEntry: (entry: TarEntry, body: AsyncIterable<Buffer>) => Promise<void>,
): Promise<number> {
  const reader = new ChunkReader(source);
  let longName: string | null = null;
  let pax: Record<string, string> = {};
  let count = 0;
  for (;;) {
    const block = await reader.readExact(BLOCK);
    if (!block) throw new Error("the tar stream ended without its end marker");
    if (block.every((b) => b === 0)) return count;
    if (checksumOf(block) !== number(block, 148, 8)) throw new Error("damaged tar header (checksum mismatch)");
    const flag = String.fromCharCode(block[156]!);
    let size = number(block, 124, 12);
    if (flag === "L" || flag === "x" || flag === "g") {
      const data = await reader.readExact(size + pad(size));
      if (!data) throw new Error("the tar stream is truncated");
      const value = data.subarray(0, size).toString("utf8");
      if (flag === "L") longName = value.replace(/\0+$/, "");
      if (flag === "x") pax = parsePax(value);
      continue;
    }
    const prefix = text(block, 257, 6).startsWith("ustar") ? text(block, 345, 155) : "";
    let path = longName ?? pax.path ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    if (pax.size !== undefined) size = Number(pax.size);
    path = path.replace(/^\.\//, "");
    const entry: TarEntry = {
      path,
      type: types[flag] ?? "other",
      size: (types[flag] ?? "other") === "file" ? size : 0,
      mode: number(block, 100, 8),
      mtime: new Date(number(block, 136, 12) * 1000),
      linkName: pax.linkpath ?? text(block, 157, 100),
    };
    longName = null;
    pax = {};
    let pulled = 0;
    // A plain async iterable (no stream machinery per entry: filestores hold many small files).
    const body = (async function* () {
      for await (const chunk of reader.body(size, `tar entry ${path}`)) {
        pulled += chunk.length;
        yield chunk;
      }
    })();
    try {
      await onEntry(entry, body);
    } finally {
      await body.return(undefined);
    }
    if (!(await reader.skip(size - pulled + pad(size)))) throw new Error("the tar stream is truncated");
    count++;
  }
}

function header(fields: { path: string; size: number; mode: number; mtime: Date; flag: string; uid?: number; gid?: number }): Buffer {
  const block = Buffer.alloc(BLOCK);
  const octal = (value: number, start: number, length: number) => {
    block.write(value.toString(8).padStart(length - 1, "0") + "\0", start, length, "ascii");
  };
  block.write(fields.path, 0, 100, "utf8");
  octal(fields.mode & 0o7777, 100, 8);
  octal(fields.uid ?? 0, 108, 8);
  octal(fields.gid ?? 0, 116, 8);
  octal(fields.size, 124, 12);
  octal(Math.floor(fields.mtime.getTime() / 1000), 136, 12);
  block.write(fields.flag, 156, 1, "ascii");
  block.write("ustar\0", 257, 6, "ascii");
  block.write("00", 263, 2, "ascii");
  block.write(" ".repeat(8), 148, 8, "ascii");
  octal(checksumOf(block), 148, 7);
  block[155] = 0x20;
  return block;
}

export interface TarFileInput {
  path: string;
  size: number;
  mode?: number;
  mtime?: Date;
  open: () => Promise<Readable>;
}

/** A tar stream of regular files (GNU long-name entries for paths over 100 bytes). */
export function writeTar(files: AsyncIterable<TarFileInput> | Iterable<TarFileInput>): Readable {
  return Readable.from(
    (async function* () {
      for await (const file of files) {
        if (file.size > 0o77777777777) throw new Error(`${file.path} is too large for a tar entry`);
        const mtime = file.mtime ?? new Date(0);
        const name = Buffer.from(file.path, "utf8");
        if (name.length > 100) {
          yield header({ path: "././@LongLink", size: name.length + 1, mode: 0o644, mtime, flag: "L" });
          yield Buffer.concat([name, Buffer.alloc(1 + pad(name.length + 1))]);
        }
        yield header({
          path: name.length > 100 ? name.subarray(0, 100).toString("utf8") : file.path,
          size: file.size,
          mode: file.mode ?? 0o644,
          mtime,
          flag: "0",
        });
        let written = 0;
        for await (const chunk of await file.open()) {
          written += (chunk as Buffer).length;
          if (written > file.size) throw new Error(`${file.path} is larger than announced (${file.size} bytes)`);
          yield chunk as Buffer;
        }
        if (written !== file.size) throw new Error(`${file.path} is ${written} bytes, ${file.size} announced`);
        if (pad(file.size) > 0) yield Buffer.alloc(pad(file.size));
      }
      yield Buffer.alloc(BLOCK * 2);
    })(),
    { objectMode: false },
  );
}
