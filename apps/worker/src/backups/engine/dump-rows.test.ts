import { describe, expect, it } from "vitest";
import { fakeCustomDump } from "../testing/fake-dump";
import { DumpRowCounter } from "./dump-rows";

const archive = (tables: Parameters<typeof fakeCustomDump>[0]) => Buffer.concat([...fakeCustomDump(tables)]);

function count(data: Buffer, pieceSizes: number[]): Map<string, number> {
  const counter = new DumpRowCounter();
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = pieceSizes[i % pieceSizes.length]!;
    counter.push(data.subarray(at, at + n));
    at += n;
  }
  return counter.end();
}

describe("row counts from a custom-format dump", () => {
  const data = archive([
    { name: "res_partner", rows: 1234, rowBytes: 70 },
    { name: "empty_table", rows: 0 },
    { name: "tiny_rows", rows: 500, rowBytes: 2 },
  ]);
  const expected = new Map([
    ["public.res_partner", 1234],
    ["public.empty_table", 0],
    ["public.tiny_rows", 500],
  ]);

  it("counts each table's COPY lines, however the stream is split", () => {
    expect(count(data, [data.length])).toEqual(expected);
    expect(count(data, [1])).toEqual(expected);
    expect(count(data, [7, 3, 4096, 5, 6])).toEqual(expected);
  });

  it("refuses what it does not know instead of guessing: compressed, other versions, truncated, no terminator", () => {
    const compressed = Buffer.from(data);
    compressed[14] = 6; // the compression level int, after PGDMP + 6 bytes + its sign byte
    expect(() => count(compressed, [4096])).toThrow(/compressed/);
    const newer = Buffer.from(data);
    newer[6] = 16;
    expect(() => count(newer, [4096])).toThrow(/unsupported archive version/);
    expect(() => count(data.subarray(0, data.length - 20), [4096])).toThrow(/ended early/);
    const noTerminator = Buffer.from(data);
    noTerminator.write("X", noTerminator.lastIndexOf("\\.\n\n\n"));
    expect(() => count(noTerminator, [4096])).toThrow(/does not end like COPY data/);
    expect(() => count(Buffer.from("PGDMX" + "x".repeat(100)), [10])).toThrow(/not a pg_dump/);
  });
});
