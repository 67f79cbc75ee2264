import { describe, expect, it } from "vitest";
import { Demuxer, LineSplitter, lineDemuxer, type LogLine } from "./demux";

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe("Demuxer", () => {
  it("splits frames cut at arbitrary byte boundaries", () => {
    const all = Buffer.concat([frame(1, "hello "), frame(2, "oops\n"), frame(1, "world\n")]);
    const got: string[] = [];
    const d = new Demuxer((stream, data) => got.push(`${stream}:${data.toString()}`));
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    expect(got).toEqual(["stdout:hello ", "stderr:oops\n", "stdout:world\n"]);
  });
});

describe("LineSplitter", () => {
  it("joins partial lines, drops CR and flushes the unterminated tail", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push(Buffer.from("a\r\nb"));
    s.push(Buffer.from("c\n"));
    s.push(Buffer.from("tail"));
    expect(lines).toEqual(["a", "bc"]);
    s.flush();
    expect(lines).toEqual(["a", "bc", "tail"]);
  });

  it("keeps multi-byte characters split across chunks intact", () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const bytes = Buffer.from("é\n");
    s.push(bytes.subarray(0, 1));
    s.push(bytes.subarray(1));
    expect(lines).toEqual(["é"]);
  });
});

describe("lineDemuxer", () => {
  it("keeps stdout and stderr lines apart", () => {
    const lines: LogLine[] = [];
    const d = lineDemuxer((l) => lines.push(l));
    d.push(Buffer.concat([frame(1, "out1\nou"), frame(2, "err1\n"), frame(1, "t2\n")]));
    d.flush();
    expect(lines).toEqual([
      { stream: "stdout", line: "out1" },
      { stream: "stderr", line: "err1" },
      { stream: "stdout", line: "out2" },
    ]);
  });
});
