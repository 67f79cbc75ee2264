// Reads an uploaded ZIP file from disk through its central directory (ZIP64 included). Entries
// are streamed and checked as they inflate: more bytes than declared or a CRC mismatch is an
// error, so a lying header (zip bomb) cannot make us write more than the validated sizes.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Transform, type Readable, pipeline } from "node:stream";
import { createInflateRaw, crc32 } from "node:zlib";

export interface ZipEntryInfo {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
  isSymlink: boolean;
  encrypted: boolean;
}

export class ZipFormatError extends Error {}

const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;

async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function u64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError("a ZIP64 field is out of range");
  return Number(v);
}

/** The central directory of the ZIP at `path`; ZipFormatError when it is not a readable ZIP. */
export async function readZipDirectory(path: string, fileSize: number): Promise<ZipEntryInfo[]> {
  const tailLength = Math.min(fileSize, 22 + 0xffff);
  const tail = await readAt(path, fileSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError("not a ZIP archive (no end of central directory)");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== 0x07064b50) throw new ZipFormatError("damaged ZIP64 archive (no locator)");
    const recordAt = u64(tail, locatorAt + 8);
    const record = await readAt(path, recordAt, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== 0x06064b50) throw new ZipFormatError("damaged ZIP64 end of central directory");
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
  }
  if (cdOffset + cdSize > fileSize) throw new ZipFormatError("damaged ZIP archive (central directory out of the file)");
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw new ZipFormatError("the ZIP archive lists too many files");
  const cd = await readAt(path, cdOffset, cdSize);
  const entries: ZipEntryInfo[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw new ZipFormatError("damaged ZIP central directory");
    const madeBy = cd.readUInt16LE(at + 4) >> 8;
    const flags = cd.readUInt16LE(at + 8);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    const external = cd.readUInt32LE(at + 38);
    const name = cd.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x0800 ? "utf8" : "latin1");
    let compressedSize = cd.readUInt32LE(at + 20);
    let size = cd.readUInt32LE(at + 24);
    let localOffset = cd.readUInt32LE(at + 42);
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let p = e + 4;
        if (size === 0xffffffff) {
          size = u64(extra, p);
          p += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = u64(extra, p);
          p += 8;
        }
        if (localOffset === 0xffffffff) localOffset = u64(extra, p);
      }
      e += 4 + length;
    }
    const unixMode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      method: cd.readUInt16LE(at + 10),
      flags,
      crc: cd.readUInt32LE(at + 16),
      compressedSize,
      size,
      localOffset,
      isDirectory: name.endsWith("/") || (unixMode & 0o170000) === 0o040000,
      isSymlink: (unixMode & 0o170000) === 0o120000,
      encrypted: (flags & 0x0001) !== 0,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Streams one entry's content, inflated and checked against its declared size and CRC. */
export async function openZipEntry(path: string, entry: ZipEntryInfo, fileSize: number): Promise<Readable> {
  const local = await readAt(path, entry.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw new ZipFormatError(`damaged ZIP entry ${entry.name}`);
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (start + entry.compressedSize > fileSize) throw new ZipFormatError(`ZIP entry ${entry.name} goes past the end of the file`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`ZIP entry ${entry.name} uses an unsupported compression method (${entry.method})`);
  const raw = entry.compressedSize === 0 ? [] : [createReadStream(path, { start, end: start + entry.compressedSize - 1 })];
  let size = 0;
  let crc = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      size += chunk.length;
      if (size > entry.size)
        return callback(new ZipFormatError(`ZIP entry ${entry.name} inflates to more than its declared ${entry.size} bytes`));
      crc = crc32(chunk, crc);
      callback(null, chunk);
    },
    flush(callback) {
      if (size !== entry.size) return callback(new ZipFormatError(`ZIP entry ${entry.name} is ${size} bytes, ${entry.size} declared`));
      if (crc !== entry.crc) return callback(new ZipFormatError(`ZIP entry ${entry.name} is damaged (CRC mismatch)`));
      callback();
    },
  });
  const streams: (Readable | Transform)[] = [...raw];
  if (raw.length === 0) {
    check.end();
    return check;
  }
  if (entry.method === 8) streams.push(createInflateRaw());
  streams.push(check);
  // The chain's errors reach its last stream, which is what the caller reads.
  pipeline(streams as [Readable, ...Transform[]], () => undefined);
  return check;
}
