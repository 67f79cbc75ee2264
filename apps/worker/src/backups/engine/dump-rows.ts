// Row counts of every table, read from an uncompressed pg_dump custom-format archive as it streams
// by (ADR 0008): a table's data is its COPY text, one line per row, so its rows are its newlines.
// No second pass over the database. The layout is pg_dump's (src/bin/pg_dump/pg_backup_archiver.c
// WriteHead/WriteToc, pg_backup_custom.c): archive versions 1.12 to 1.15 (PostgreSQL 11 to 16);
// anything else throws, and the caller counts with SQL instead.
import { ChunkReader } from "../archive/chunk-reader";

const BLK_DATA = 1;
const TERMINATOR = Buffer.from("\\.\n\n\n");
const BLK_BLOBS = 3;
const version = (major: number, minor: number, rev = 0) => (major << 16) | (minor << 8) | rev;

class ArchiveReader {
  intSize = 4;
  constructor(private readonly reader: ChunkReader) {}

  async bytes(n: number): Promise<Buffer> {
    const b = await this.reader.readExact(n);
    if (!b) throw new Error("the dump ended early");
    return b;
  }

  async byte(): Promise<number> {
    return (await this.bytes(1))[0]!;
  }

  async int(): Promise<number> {
    const b = await this.bytes(1 + this.intSize);
    let value = 0;
    for (let i = this.intSize; i >= 1; i--) value = value * 256 + b[i]!;
    return b[0] ? -value : value;
  }

  async str(): Promise<string | null> {
    const length = await this.int();
    if (length < 0) return null;
    return (await this.bytes(length)).toString("utf8");
  }
}

/**
 * Reads the archive to its end and returns rows per table (`schema.table`, data entries only).
 * Throws on a compressed archive or an unknown layout.
 */
export async function countDumpRows(source: AsyncIterable<Buffer>): Promise<Map<string, number>> {
  const reader = new ChunkReader(source);
  const a = new ArchiveReader(reader);
  if ((await a.bytes(5)).toString("latin1") !== "PGDMP") throw new Error("not a pg_dump custom-format archive");
  const [vmaj, vmin, vrev] = await a.bytes(3);
  const v = version(vmaj!, vmin!, vrev);
  if (v < version(1, 12) || v >= version(1, 16)) throw new Error(`unsupported archive version ${vmaj}.${vmin}.${vrev}`);
  a.intSize = await a.byte();
  const offSize = await a.byte();
  if ((await a.byte()) !== 1) throw new Error("not a custom-format archive");
  const compression = v >= version(1, 15) ? await a.byte() : await a.int();
  if (compression !== 0) throw new Error("the archive is compressed");
  for (let i = 0; i < 7; i++) await a.int(); // creation time
  await a.str(); // database name
  await a.str(); // server version
  await a.str(); // pg_dump version

  const tables = new Map<number, string>();
  const entries = await a.int();
  for (let i = 0; i < entries; i++) {
    const dumpId = await a.int();
    await a.int(); // had dumper
    await a.str(); // table oid
    await a.str(); // oid
    const tag = await a.str();
    const desc = await a.str();
    await a.int(); // section
    await a.str(); // definition
    await a.str(); // drop statement
    await a.str(); // copy statement
    const namespace = await a.str();
    await a.str(); // tablespace
    if (v >= version(1, 14)) await a.str(); // table access method
    await a.str(); // owner
    await a.str(); // "false": with oids
    while ((await a.str()) !== null); // dependencies
    await a.bytes(1 + offSize); // data offset (flag + offset)
    if (desc === "TABLE DATA" && tag !== null) tables.set(dumpId, `${namespace ?? ""}.${tag}`);
  }

  const rows = new Map<string, number>();
  /** Newlines of a data entry, and its last bytes. */
  const skipBlocks = async (count: boolean): Promise<{ lines: number; tail: Buffer }> => {
    let lines = 0;
    let tail = Buffer.alloc(0);
    for (let length = await a.int(); length !== 0; length = await a.int()) {
      if (length < 0) throw new Error("damaged data block");
      let left = length;
      while (left > 0) {
        const piece = await reader.readUpTo(left);
        if (!piece) throw new Error("the dump ended early");
        left -= piece.length;
        if (!count) continue;
        for (let at = piece.indexOf(10); at !== -1; at = piece.indexOf(10, at + 1)) lines++;
        tail = Buffer.concat([tail, piece.subarray(-TERMINATOR.length)]).subarray(-TERMINATOR.length);
      }
    }
    return { lines, tail };
  };
  for (;;) {
    const type = await reader.readExact(1);
    if (!type) break;
    const dumpId = await a.int();
    if (type[0] === BLK_DATA) {
      const table = tables.get(dumpId);
      const { lines, tail } = await skipBlocks(table !== undefined);
      if (table !== undefined) {
        // pg_dump ends each table's COPY data with `\.` and two empty lines (pg_dump.c dumpTableData_copy).
        if (!tail.equals(TERMINATOR)) throw new Error(`the data of ${table} does not end like COPY data`);
        rows.set(table, (rows.get(table) ?? 0) + lines - 3);
      }
    } else if (type[0] === BLK_BLOBS) {
      while ((await a.int()) !== 0) await skipBlocks(false);
    } else throw new Error(`unknown data block type ${type[0]}`);
  }
  for (const table of tables.values()) if (!rows.has(table)) rows.set(table, 0);
  return rows;
}
