// A streaming ZIP writer: entries are written as they are read (data descriptors after each
// body, since sizes and CRCs are only known at the end), stored or deflated, with ZIP64 records
// whenever a size, an offset or the entry count outgrows the classic 32/16-bit fields. The output
// is what Python's zipfile (Odoo's database manager) and Info-ZIP read.
import { Readable, Transform, pipeline } from "node:stream";
import { createDeflateRaw, crc32 } from "node:zlib";

export interface ZipEntryInput {
  /** `/`-separated path inside the archive. */
  name: string;
  method: "store" | "deflate";
  /** Known size in bytes, when there is one: below 4 GiB the entry needs no ZIP64 local record. */
  size?: number;
  mtime?: Date;
  open: () => Promise<Readable>;
}

const MAX32 = 0xffffffff;
const MAX16 = 0xffff;

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  time: number;
  date: number;
  zip64Local: boolean;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

const FLAGS = 0x0008 | 0x0800; // data descriptor, UTF-8 names

function localHeader(e: Omit<Written, "crc" | "csize" | "usize">): Buffer {
  const extra = e.zip64Local ? Buffer.alloc(20) : Buffer.alloc(0);
  if (e.zip64Local) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(16, 2); // sizes are in the data descriptor: zeros here
  }
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(e.zip64Local ? 45 : 20, 4);
  h.writeUInt16LE(FLAGS, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.time, 10);
  h.writeUInt16LE(e.date, 12);
  h.writeUInt32LE(0, 14);
  h.writeUInt32LE(e.zip64Local ? MAX32 : 0, 18);
  h.writeUInt32LE(e.zip64Local ? MAX32 : 0, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(extra.length, 28);
  return Buffer.concat([h, e.name, extra]);
}

function dataDescriptor(e: Written): Buffer {
  if (e.zip64Local) {
    const d = Buffer.alloc(24);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(e.crc, 4);
    d.writeBigUInt64LE(BigInt(e.csize), 8);
    d.writeBigUInt64LE(BigInt(e.usize), 16);
    return d;
  }
  const d = Buffer.alloc(16);
  d.writeUInt32LE(0x08074b50, 0);
  d.writeUInt32LE(e.crc, 4);
  d.writeUInt32LE(e.csize, 8);
  d.writeUInt32LE(e.usize, 12);
  return d;
}

function centralEntry(e: Written): Buffer {
  const big = [e.usize >= MAX32, e.csize >= MAX32, e.offset >= MAX32];
  const values = [e.usize, e.csize, e.offset].filter((_, i) => big[i]);
  const extra = values.length > 0 ? Buffer.alloc(4 + 8 * values.length) : Buffer.alloc(0);
  if (values.length > 0) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8 * values.length, 2);
    values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  }
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | 45, 4); // made by Unix, spec 4.5
  h.writeUInt16LE(e.zip64Local || values.length > 0 ? 45 : 20, 6);
  h.writeUInt16LE(FLAGS, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(e.time, 12);
  h.writeUInt16LE(e.date, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(big[1] ? MAX32 : e.csize, 20);
  h.writeUInt32LE(big[0] ? MAX32 : e.usize, 24);
  h.writeUInt16LE(e.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
  h.writeUInt32LE(big[2] ? MAX32 : e.offset, 42);
  return Buffer.concat([h, e.name, extra]);
}

function endRecords(count: number, cdOffset: number, cdSize: number): Buffer {
  const parts: Buffer[] = [];
  const zip64 = count >= MAX16 || cdOffset >= MAX32 || cdSize >= MAX32;
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(count), 24);
    rec.writeBigUInt64LE(BigInt(count), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(count, MAX16), 8);
  eocd.writeUInt16LE(Math.min(count, MAX16), 10);
  eocd.writeUInt32LE(Math.min(cdSize, MAX32), 12);
  eocd.writeUInt32LE(Math.min(cdOffset, MAX32), 16);
  parts.push(eocd);
  return Buffer.concat(parts);
}

/** Streams a ZIP archive of `entries`, read one after the other. */
export function writeZip(entries: AsyncIterable<ZipEntryInput> | Iterable<ZipEntryInput>): Readable {
  return Readable.from(
    (async function* () {
      const written: Written[] = [];
      let offset = 0;
      for await (const input of entries) {
        const { time, date } = dosDateTime(input.mtime ?? new Date());
        const zip64Local = input.size === undefined || input.size >= MAX32;
        const entry: Written = {
          name: Buffer.from(input.name, "utf8"),
          method: input.method === "deflate" ? 8 : 0,
          crc: 0,
          csize: 0,
          usize: 0,
          offset,
          time,
          date,
          zip64Local,
        };
        const head = localHeader(entry);
        yield head;
        offset += head.length;
        const meter = new Transform({
          transform(chunk: Buffer, _enc, callback) {
            entry.crc = crc32(chunk, entry.crc);
            entry.usize += chunk.length;
            callback(null, chunk);
          },
        });
        const source = await input.open();
        const body =
          input.method === "deflate"
            ? pipeline(source, meter, createDeflateRaw({ level: 6 }), () => undefined)
            : pipeline(source, meter, () => undefined);
        for await (const chunk of body as AsyncIterable<Buffer>) {
          entry.csize += chunk.length;
          yield chunk;
        }
        offset += entry.csize;
        if (!zip64Local && entry.usize >= MAX32) throw new Error(`${input.name} is larger than its announced size`);
        const descriptor = dataDescriptor(entry);
        yield descriptor;
        offset += descriptor.length;
        written.push(entry);
      }
      const cdOffset = offset;
      let cdSize = 0;
      for (const entry of written) {
        const record = centralEntry(entry);
        cdSize += record.length;
        yield record;
      }
      yield endRecords(written.length, cdOffset, cdSize);
    })(),
  );
}
