import { describe, expect, it } from "vitest";
import { CLEAN_INSTALL, ERROR_IN_TEST, FAILED_TEST, GREEN_TEST } from "./fixtures/odoo17-logs";
import { parseOdooLog } from "./parse-odoo-log";
import { summarizeTests } from "./summarize-tests";

describe("summarizeTests", () => {
  it("reads the odoo.tests.result totals and the failing tests of a failed run", () => {
    expect(summarizeTests(parseOdooLog(FAILED_TEST))).toEqual({
      failed: 1,
      errors: 0,
      total: 2,
      database: "realodoo_t3",
      line: 23,
      passed: false,
      failures: [{ kind: "FAIL", test: "TestMyModel.test_fails", logger: "odoo.addons.my_addon.tests.test_my_model", line: 8 }],
    });
  });

  it("lists test errors and post-install failures", () => {
    const s = summarizeTests(parseOdooLog(ERROR_IN_TEST))!;
    expect(s).toMatchObject({ failed: 1, errors: 1, total: 3, passed: false });
    expect(s.failures.map((f) => `${f.kind} ${f.test}`)).toEqual([
      "ERROR TestErrAtInstall.test_raises",
      "FAIL TestErrPostInstall.test_post_install_fails",
    ]);
  });

  it("reports a passing run, and null without a result line", () => {
    expect(summarizeTests(parseOdooLog(GREEN_TEST))).toMatchObject({ failed: 0, errors: 0, total: 2, passed: true, failures: [] });
    expect(summarizeTests(parseOdooLog(CLEAN_INSTALL))).toBeNull();
  });
});
