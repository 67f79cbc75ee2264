// A pg_dump custom-format archive (version 1.14, uncompressed) built in memory for tests: the
// layout pg_dump 15 writes (header, TOC, one data block per table with one length-prefixed piece
// per row, as pg_dump writes COPY rows one at a time, then the `\.` terminator).
const int = (n: number) => {
  const b = Buffer.alloc(5);
  b[0] = n < 0 ? 1 : 0;
  b.writeUInt32LE(Math.abs(n), 1);
  return b;
};
const str = (s: string | null) => (s === null ? int(-1) : Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]));

export function* fakeCustomDump(tables: { name: string; rows: number; rowBytes?: number }[]): Generator<Buffer> {
  yield Buffer.concat([Buffer.from("PGDMP"), Buffer.from([1, 14, 0, 4, 8, 1]), int(0)]);
  yield Buffer.concat([...[0, 0, 0, 1, 0, 126, 0].map(int), str("db"), str("15.18"), str("15.18")]);
  const entries: Buffer[] = [];
  tables.forEach((t, i) => {
    const te = (id: number, desc: string, hadDumper: number) =>
      Buffer.concat([
        int(id),
        int(hadDumper),
        str("0"),
        str(String(16000 + id)),
        str(t.name),
        str(desc),
        int(desc === "TABLE" ? 1 : 2),
        str(desc === "TABLE" ? `CREATE TABLE public.${t.name} (id int, payload text);\n` : ""),
        str(""),
        str(desc === "TABLE DATA" ? `COPY public.${t.name} (id, payload) FROM stdin;\n` : null),
        str("public"),
        str(""),
        str("heap"),
        str("u"),
        str("false"),
        ...(desc === "TABLE DATA" ? [str(String(2 * i + 1))] : []),
        str(null),
        Buffer.alloc(1 + 8),
      ]);
    entries.push(te(2 * i + 1, "TABLE", 0), te(2 * i + 2, "TABLE DATA", 1));
  });
  yield Buffer.concat([int(entries.length), ...entries]);
  for (const [i, t] of tables.entries()) {
    const blocks: Buffer[] = [Buffer.from([1]), int(2 * i + 2)];
    for (let r = 0; r < t.rows; r++) {
      const row = Buffer.from(`${r}\t${"x".repeat(Math.max(1, (t.rowBytes ?? 40) - 10))}\n`);
      blocks.push(int(row.length), row);
      if (blocks.length > 2000) yield Buffer.concat(blocks.splice(0));
    }
    blocks.push(int(5), Buffer.from("\\.\n\n\n"), int(0));
    yield Buffer.concat(blocks);
  }
}
