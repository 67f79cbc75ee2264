// Row counts of every table, read from an uncompressed pg_dump custom-format archive as it streams
// by (ADR 0008): a table's data is its COPY text, one line per row, so its rows are its newlines.
// No second pass over the database. The layout is pg_dump's (src/bin/pg_dump/pg_backup_archiver.c
// WriteHead/WriteToc, pg_backup_custom.c): archive versions 1.12 to 1.15 (PostgreSQL 11 to 16);
// anything else throws, and the caller counts with SQL instead.
const BLK_DATA = 1;
const BLK_BLOBS = 3;
const EMPTY = Buffer.alloc(0);
const TERMINATOR = Buffer.from("\\.\n\n\n");
const version = (major: number, minor: number, rev = 0) => (major << 16) | (minor << 8) | rev;

/**
 * The parser is a generator fed synchronously (no promise per row: pg_dump writes one data
 * piece per row). It yields what it needs next: n > 0 exactly n bytes, n < 0 up to -n bytes,
 * 0 one byte or the end of the archive (end: an empty buffer).
 */
type Parser = Generator<number, Map<string, number>, Buffer>;

/** `need` value: the rows of a table's data entry, counted by DumpRowCounter itself (hot path). */
const ROWS = Number.MIN_SAFE_INTEGER;

interface RowState {
  intSize: number;
  /** Set by DumpRowCounter when it hands a data entry back: its newlines and last bytes. */
  lines: number;
  tail: Buffer;
}

function* parse(state: RowState): Parser {
  let intSize = 4;
  const int = function* (): Generator<number, number, Buffer> {
    const b = yield 1 + intSize;
    let value = 0;
    for (let i = intSize; i >= 1; i--) value = value * 256 + b[i]!;
    return b[0] ? -value : value;
  };
  const str = function* (): Generator<number, string | null, Buffer> {
    const length = yield* int();
    if (length < 0) return null;
    if (length === 0) return "";
    return (yield length).toString("utf8");
  };
  if ((yield 5).toString("latin1") !== "PGDMP") throw new Error("not a pg_dump custom-format archive");
  const [vmaj, vmin, vrev] = yield 3;
  const v = version(vmaj!, vmin!, vrev);
  if (v < version(1, 12) || v >= version(1, 16)) throw new Error(`unsupported archive version ${vmaj}.${vmin}.${vrev}`);
  const sizes = yield 3;
  intSize = sizes[0]!;
  state.intSize = intSize;
  const offSize = sizes[1]!;
  if (sizes[2] !== 1) throw new Error("not a custom-format archive");
  const compression = v >= version(1, 15) ? (yield 1)[0]! : yield* int();
  if (compression !== 0) throw new Error("the archive is compressed");
  for (let i = 0; i < 7; i++) yield* int(); // creation time
  yield* str(); // database name
  yield* str(); // server version
  yield* str(); // pg_dump version

  const tables = new Map<number, string>();
  const entries = yield* int();
  for (let i = 0; i < entries; i++) {
    const dumpId = yield* int();
    yield* int(); // had dumper
    yield* str(); // table oid
    yield* str(); // oid
    const tag = yield* str();
    const desc = yield* str();
    yield* int(); // section
    yield* str(); // definition
    yield* str(); // drop statement
    yield* str(); // copy statement
    const namespace = yield* str();
    yield* str(); // tablespace
    if (v >= version(1, 14)) yield* str(); // table access method
    yield* str(); // owner
    yield* str(); // "false": with oids
    while ((yield* str()) !== null); // dependencies
    yield 1 + offSize; // data offset (flag + offset)
    if (desc === "TABLE DATA" && tag !== null) tables.set(dumpId, `${namespace ?? ""}.${tag}`);
  }

  const rows = new Map<string, number>();
  for (;;) {
    const type = yield 0;
    if (type.length === 0) break;
    const dumpId = yield* int();
    if (type[0] === BLK_DATA) {
      const table = tables.get(dumpId);
      yield ROWS; // length-prefixed pieces up to a zero length, counted by the caller
      if (table !== undefined) {
        // pg_dump ends each table's COPY data with `\\.` and two empty lines (pg_dump.c dumpTableData_copy).
        if (!state.tail.equals(TERMINATOR)) throw new Error(`the data of ${table} does not end like COPY data`);
        rows.set(table, (rows.get(table) ?? 0) + state.lines - 3);
      }
    } else if (type[0] === BLK_BLOBS) {
      while ((yield* int()) !== 0) {
        for (let length = yield* int(); length !== 0; length = yield* int()) {
          if (length < 0) throw new Error("damaged data block");
          for (let left = length; left > 0; ) left -= (yield -left).length;
        }
      }
    } else throw new Error(`unknown data block type ${type[0]}`);
  }
  for (const table of tables.values()) if (!rows.has(table)) rows.set(table, 0);
  return rows;
}

/**
 * Rows per table (`schema.table`) of an uncompressed custom-format archive pushed through it
 * piece by piece, synchronously. `push` and `end` throw on a layout it does not know (then the
 * caller counts with SQL).
 */
export class DumpRowCounter {
  private readonly state: RowState = { intSize: 4, lines: 0, tail: EMPTY };
  private readonly parser = parse(this.state);
  private need: number;
  private carry: Buffer[] = [];
  private carried = 0;
  /** In ROWS: bytes left of the current piece of data. */
  private left = 0;
  /** Length of the current data piece (its bytes are kept when it may be the terminator). */
  private lastLength = 0;
  private result: Map<string, number> | null = null;

  constructor() {
    this.need = this.parser.next().value as number;
  }

  private step(bytes: Buffer): void {
    const r = this.parser.next(bytes);
    if (r.done) this.result = r.value;
    else {
      this.need = r.value;
      if (this.need === ROWS) {
        this.state.lines = 0;
        this.state.tail = EMPTY;
      }
    }
  }

  /** Exactly `need` bytes from piece at p (carried over pieces); null when the piece ran out first. */
  private take(piece: Buffer, p: number, need: number): Buffer | null {
    const available = piece.length - p;
    if (this.carried === 0 && available >= need) return piece.subarray(p, p + need);
    const k = Math.min(need - this.carried, available);
    this.carry.push(piece.subarray(p, p + k));
    this.carried += k;
    if (this.carried < need) return null;
    const bytes = Buffer.concat(this.carry);
    this.carry = [];
    this.carried = 0;
    return bytes;
  }

  push(piece: Buffer): void {
    let p = 0;
    while (p < piece.length) {
      if (this.result) throw new Error("data after the end of the archive");
      if (this.need === ROWS) {
        if (this.left > 0) {
          const end = p + Math.min(this.left, piece.length - p);
          for (let at = piece.indexOf(10, p); at !== -1 && at < end; at = piece.indexOf(10, at + 1)) this.state.lines++;
          // pg_dump writes the terminator as a data piece of its own: keep the bytes of 5-byte pieces.
          if (this.lastLength === TERMINATOR.length) this.state.tail = Buffer.concat([this.state.tail, piece.subarray(p, end)]);
          this.left -= end - p;
          p = end;
          continue;
        }
        const before = this.carried;
        const size = 1 + this.state.intSize;
        const header = this.take(piece, p, size);
        p += header ? size - before : piece.length - p;
        if (!header) continue;
        let length = 0;
        for (let i = this.state.intSize; i >= 1; i--) length = length * 256 + header[i]!;
        if (header[0]) throw new Error("damaged data block");
        if (length === 0) {
          if (this.lastLength !== TERMINATOR.length) this.state.tail = EMPTY;
          this.lastLength = 0;
          this.step(Buffer.alloc(0));
        } else {
          this.left = length;
          this.lastLength = length;
          this.state.tail = EMPTY;
        }
        continue;
      }
      const need = this.need < 0 ? Math.min(-this.need, piece.length - p) : Math.max(1, this.need);
      const before = this.carried;
      const bytes = this.take(piece, p, need);
      p += bytes ? need - before : piece.length - p;
      if (bytes) this.step(bytes);
    }
  }

  end(): Map<string, number> {
    if (!this.result && this.need === 0 && this.carried === 0) this.step(Buffer.alloc(0));
    if (!this.result) throw new Error("the dump ended early");
    return this.result;
  }
}

/** Rows per table of an archive stream (see DumpRowCounter). */
export async function countDumpRows(source: AsyncIterable<Buffer>): Promise<Map<string, number>> {
  const counter = new DumpRowCounter();
  for await (const piece of source) counter.push(piece);
  return counter.end();
}
