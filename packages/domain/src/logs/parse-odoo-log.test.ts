import { describe, expect, it } from "vitest";
import { CLEAN_INSTALL, FAILED_TEST, TTY_INSTALL } from "./fixtures/odoo17-logs";
import { parseOdooLog, stripAnsi, type OdooLogRecord } from "./parse-odoo-log";

const records = (text: string) => parseOdooLog(text).filter((e): e is OdooLogRecord => e.kind === "record");

describe("parseOdooLog", () => {
  it("splits a real Odoo 17 line into its fields", () => {
    const [first, , , , wk] = parseOdooLog(CLEAN_INSTALL);
    expect(first).toEqual({
      kind: "record",
      line: 1,
      timestamp: "2026-11-21 11:01:17,678",
      pid: 1,
      level: "INFO",
      db: null,
      logger: "odoo",
      message: "Odoo version 17.0-20240709",
      continuation: [],
    });
    expect(wk).toEqual({ kind: "noise", line: 5, text: "Warn: Can't find .pfb for face 'Times-Roman'" });
    const loading = records(CLEAN_INSTALL).find((r) => r.message === "Loading module base (1/1)");
    expect(loading).toMatchObject({ db: "realodoo_t1", logger: "odoo.modules.loading", line: 9 });
  });

  it("attaches traceback lines to the record above them", () => {
    const fail = records(FAILED_TEST).find((r) => r.message.startsWith("FAIL:"))!;
    expect(fail.level).toBe("ERROR");
    expect(fail.message).toBe("FAIL: TestMyModel.test_fails");
    expect(fail.continuation[0]).toBe("Traceback (most recent call last):");
    expect(fail.continuation).toContain("AssertionError: 6 != 7 : deliberately wrong expectation");
    expect(fail.line).toBe(8);
    const next = records(FAILED_TEST).find((r) => r.message.startsWith("Starting TestMyModel.test_passes"))!;
    expect(next.line).toBe(14);
  });

  it("strips ANSI colours around the level and handles CRLF", () => {
    expect(TTY_INSTALL).toContain("\u001b[1;32m");
    const plain = records(CLEAN_INSTALL);
    const tty = records(TTY_INSTALL);
    expect(tty).toEqual(plain);
    expect(stripAnsi("\u001b[1;32m\u001b[1;49mINFO\u001b[0m")).toBe("INFO");
  });

  it("keeps unprefixed lines before the first record as one raw block", () => {
    const out = "Usage: odoo [options]\n\nodoo: error: no such option: --bogus\n2026-11-21 11:01:17,678 1 INFO ? odoo: x \n";
    const entries = parseOdooLog(out);
    expect(entries[0]).toEqual({
      kind: "raw",
      line: 1,
      lines: ["Usage: odoo [options]", "", "odoo: error: no such option: --bogus"],
    });
    expect(entries[1]).toMatchObject({ kind: "record", line: 4, message: "x" });
  });

  it("keeps attaching continuation lines to a record across a noise line", () => {
    const out = ["2026-11-21 11:01:17,678 1 INFO db odoo.x: first", "Warn: Can't find .pfb for face 'Times-Roman'", "  continued"].join(
      "\n",
    );
    const entries = parseOdooLog(out);
    expect(entries.map((e) => e.kind)).toEqual(["record", "noise"]);
    expect((entries[0] as OdooLogRecord).continuation).toEqual(["  continued"]);
  });

  it("returns nothing for empty output", () => {
    expect(parseOdooLog("")).toEqual([]);
    expect(parseOdooLog("\n\n")).toEqual([]);
  });
});
