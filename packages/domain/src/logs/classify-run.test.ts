import { describe, expect, it } from "vitest";
import { classifyRun, combineRunClassifications, MAX_OFFENDING } from "./classify-run";
import {
  BROKEN_XML,
  CLEAN_INSTALL,
  ERROR_IN_TEST,
  FAILED_TEST,
  GREEN_TEST,
  MISSING_FROM_ADDONS_PATH,
  NO_TESTS,
  NEUTRALIZE,
  TTY_INSTALL,
  UNKNOWN_MODULE,
  WERKZEUG_500,
} from "./fixtures/odoo17-logs";

describe("classifyRun with real Odoo 17 output", () => {
  it("clean base install (with the harmless .pfb line) is green", () => {
    const r = classifyRun({ kind: "install", exitCode: 0, output: CLEAN_INSTALL });
    expect(r).toMatchObject({ status: "green", reasons: [], offending: [] });
  });

  it("the same install under a TTY (ANSI levels, CRLF) is green", () => {
    expect(classifyRun({ kind: "install", exitCode: 0, output: TTY_INSTALL }).status).toBe("green");
  });

  it("green test run and neutralize are green", () => {
    expect(classifyRun({ kind: "test", exitCode: 0, output: GREEN_TEST }).status).toBe("green");
    expect(classifyRun({ kind: "neutralize", exitCode: 0, output: NEUTRALIZE }).status).toBe("green");
  });

  it("a run that found no test is green: Odoo's WARNING '0 failed, 0 error(s) of 0 tests' is not the branch's fault; any other WARNING still is", () => {
    const r = classifyRun({ kind: "test", exitCode: 0, output: NO_TESTS });
    expect({ status: r.status, reasons: r.reasons, offending: r.offending }).toEqual({ status: "green", reasons: [], offending: [] });
    const other = NO_TESTS.replace("0 failed, 0 error(s) of 0 tests", "1 failed, 0 error(s) of 0 tests");
    expect(classifyRun({ kind: "test", exitCode: 0, output: other }).status).toBe("yellow");
    const otherLogger = NO_TESTS.replace("odoo.tests.result: 0 failed", "odoo.addons.x: 0 failed");
    expect(classifyRun({ kind: "test", exitCode: 0, output: otherLogger }).status).toBe("yellow");
  });

  it("a failed test is red with the FAIL: record (and its traceback) among the offending lines", () => {
    const r = classifyRun({ kind: "test", exitCode: 1, output: FAILED_TEST });
    expect(r.status).toBe("red");
    expect(r.reasons).toContain("test run exited with code 1");
    expect(r.reasons).toContain("test log has 4 ERROR lines");
    const fail = r.offending.find((o) => o.text.includes("FAIL: TestMyModel.test_fails"))!;
    expect(fail).toMatchObject({ level: "ERROR", line: 8, run: "test" });
    expect(fail.text.split("\n")).toHaveLength(5);
    expect(fail.text).toContain("AssertionError: 6 != 7 : deliberately wrong expectation");
    expect(r.offending.map((o) => o.line)).toEqual([8, 16, 18, 23]);
    // The result line was logged but no clean shutdown was in this excerpt.
    expect(r.reasons).toContain('test run did not shut down cleanly (no "Initiating shutdown")');
  });

  it("an error inside a test is red; its warnings are listed too", () => {
    const r = classifyRun({ kind: "test", exitCode: 1, output: ERROR_IN_TEST });
    expect(r.status).toBe("red");
    expect(r.counts).toEqual({ warning: 2, error: 4, critical: 0, traceback: 2 });
    expect(r.offending.find((o) => o.text.includes("ERROR: TestErrAtInstall.test_raises"))!.text).toContain("ValueError: boom");
    expect(r.offending[0]!.level).toBe("WARNING");
    expect(r.offending[0]!.text).toContain("base.group_user,1,0,0,0");
    expect(r.reasons).toContain("test log has 2 WARNING lines");
  });

  it("broken XML (exit 255) is red with the CRITICAL line offending", () => {
    const r = classifyRun({ kind: "install", exitCode: 255, output: BROKEN_XML });
    expect(r.status).toBe("red");
    expect(r.reasons.slice(0, 3)).toEqual([
      "install run exited with code 255",
      "install log has 1 CRITICAL line",
      "install log has 1 ERROR line",
    ]);
    expect(r.reasons).toContain('install run never logged "Modules loaded."');
    const critical = r.offending.find((o) => o.level === "CRITICAL")!;
    expect(critical.text.split("\n")[0]).toMatch(/Failed to initialize database `realodoo_t3`\.$/);
    expect(critical.text).toContain("odoo.tools.convert.ParseError");
  });

  it("an unknown module (exit 0, WARNING) is yellow", () => {
    const r = classifyRun({ kind: "install", exitCode: 0, output: UNKNOWN_MODULE });
    expect(r).toMatchObject({ status: "yellow", reasons: ["install log has 1 WARNING line"] });
    expect(r.offending).toHaveLength(1);
    expect(r.offending[0]!.text).toContain("invalid module names, ignored: no_such_module");
  });

  it("modules missing from the addons path (exit 0, ERROR) is red", () => {
    const r = classifyRun({ kind: "update", exitCode: 0, output: MISSING_FROM_ADDONS_PATH });
    expect(r.status).toBe("red");
    expect(r.reasons).toEqual(["update log has 1 ERROR line", "update log has 1 WARNING line"]);
    expect(r.offending.map((o) => o.level)).toEqual(["WARNING", "ERROR"]);
  });

  it("a werkzeug request line with a 500 status is classified by its level (INFO)", () => {
    expect(classifyRun({ kind: "serve", exitCode: 0, output: WERKZEUG_500 }).status).toBe("green");
  });
});

describe("classifyRun rules", () => {
  const line = (level: string, msg: string) => `2026-11-21 11:01:17,678 1 ${level} db odoo.x: ${msg} `;

  it("an install without Modules loaded / shutdown is red even with exit 0", () => {
    const r = classifyRun({ kind: "install", exitCode: 0, output: line("INFO", "loading 1 modules...") });
    expect(r.status).toBe("red");
    expect(r.reasons).toEqual([
      'install run never logged "Modules loaded."',
      'install run did not shut down cleanly (no "Initiating shutdown")',
    ]);
    // Nothing offending in the log: the end of the output is shown instead.
    expect(r.offending).toEqual([{ level: "OUTPUT", line: 1, run: "install", text: line("INFO", "loading 1 modules...").trimEnd() }]);
  });

  it("serve runs do not need Modules loaded; stopAfterInit can be forced", () => {
    expect(classifyRun({ kind: "serve", exitCode: 0, output: line("INFO", "x") }).status).toBe("green");
    expect(classifyRun({ kind: "serve", exitCode: 0, output: line("INFO", "x"), stopAfterInit: true }).status).toBe("red");
  });

  it("a traceback logged at INFO or WARNING is red", () => {
    const out = `${line("INFO", "_read_file reading /var/lib/odoo/filestore/x")}\nTraceback (most recent call last):\nFileNotFoundError: x`;
    const r = classifyRun({ kind: "serve", exitCode: 0, output: out });
    expect(r.status).toBe("red");
    expect(r.reasons).toEqual(["serve log has 1 traceback outside ERROR lines"]);
    expect(r.offending[0]).toMatchObject({ level: "INFO", line: 1 });
  });

  it("a traceback printed before any log record is red", () => {
    const out = 'Traceback (most recent call last):\n  File "/usr/bin/odoo", line 5\nImportError: no odoo';
    const r = classifyRun({ kind: "serve", exitCode: 1, output: out });
    expect(r.status).toBe("red");
    expect(r.offending).toEqual([{ level: "TRACEBACK", line: 1, run: "serve", text: out }]);
  });

  it("timeouts, missing exit codes and failed health checks are red", () => {
    const t = classifyRun({ kind: "install", exitCode: 137, timedOut: true, timeLimitSeconds: 900, output: CLEAN_INSTALL });
    expect(t.reasons).toEqual(["install run exceeded its time limit of 900 s", "install run exited with code 137"]);
    expect(classifyRun({ kind: "serve", exitCode: null, output: "" }).reasons).toEqual(["serve run ended without an exit code"]);
    const h = classifyRun({ kind: "serve", exitCode: 0, output: "", healthCheck: { ok: false, detail: "GET /web/health answered 502" } });
    expect(h).toMatchObject({ status: "red", reasons: ["health check failed: GET /web/health answered 502"], offending: [] });
    expect(classifyRun({ kind: "serve", exitCode: 0, output: "", healthCheck: { ok: true } }).status).toBe("green");
  });

  it("trims a huge traceback to its head and tail", () => {
    const frames = Array.from({ length: 500 }, (_, i) => `  frame ${i}`);
    const out = [line("ERROR", "boom"), "Traceback (most recent call last):", ...frames, "RuntimeError: last"].join("\n");
    const text = classifyRun({ kind: "serve", exitCode: 0, output: out }).offending[0]!.text.split("\n");
    expect(text).toHaveLength(61);
    expect(text[0]).toContain("boom");
    expect(text[20]).toBe("… 443 lines omitted …");
    expect(text[60]).toBe("RuntimeError: last");
  });

  it("classifies a 100k-line log and caps the offending list", () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 1000 === 0) lines.push(line("WARNING", `warning ${i}`));
      else if (i % 7 === 0) lines.push("    continuation of the previous record");
      else lines.push(line("INFO", `loading file ${i}`));
    }
    lines.push(line("INFO", "Modules loaded."), line("INFO", "Initiating shutdown"));
    const r = classifyRun({ kind: "install", exitCode: 0, output: lines.join("\n") });
    expect(r.status).toBe("yellow");
    expect(r.counts.warning).toBe(100);
    expect(r.offending).toHaveLength(MAX_OFFENDING);
    expect(r.offending[99]!.line).toBe(99_001);
  });
});

describe("combineRunClassifications", () => {
  it("takes the worst status and concatenates reasons and offending lines", () => {
    const install = classifyRun({ kind: "install", exitCode: 0, output: UNKNOWN_MODULE });
    const serve = classifyRun({ kind: "serve", exitCode: 0, output: "", healthCheck: { ok: false } });
    const both = combineRunClassifications([install, serve]);
    expect(both.status).toBe("red");
    expect(both.reasons).toEqual(["install log has 1 WARNING line", "health check failed"]);
    expect(both.offending.map((o) => o.run)).toEqual(["install"]);
    expect(combineRunClassifications([install]).status).toBe("yellow");
    expect(combineRunClassifications([]).status).toBe("green");
  });
});
