// Test results of an Odoo run with --test-enable. Totals come from the `odoo.tests.result` line
// (always emitted with --test-enable --stop-after-init); `odoo.tests.stats` counts differ and are
// not used. Individual failures come from `FAIL: Class.method` / `ERROR: Class.method` records.
import type { OdooLogEntry } from "./parse-odoo-log";

export interface TestFailure {
  kind: "FAIL" | "ERROR";
  /** `Class.method` as printed by Odoo. */
  test: string;
  logger: string;
  /** 1-based line number in the log. */
  line: number;
}

export interface TestSummary {
  failed: number;
  errors: number;
  total: number;
  database: string | null;
  /** Line of the `odoo.tests.result` record. */
  line: number;
  passed: boolean;
  failures: TestFailure[];
}

const RESULT = /^(\d+) failed, (\d+) error\(s\) of (\d+) tests?(?: when loading database '([^']*)')?/;
const FAILURE = /^(FAIL|ERROR): (\S+)/;

/** Returns null when the log holds no `odoo.tests.result` line (tests not enabled, or crashed). */
export function summarizeTests(entries: readonly OdooLogEntry[]): TestSummary | null {
  let result: Omit<TestSummary, "failures"> | null = null;
  const failures: TestFailure[] = [];
  for (const entry of entries) {
    if (entry.kind !== "record") continue;
    if (entry.logger === "odoo.tests.result") {
      const m = RESULT.exec(entry.message);
      if (m) {
        const failed = Number(m[1]);
        const errors = Number(m[2]);
        // The last summary wins (post-install tests are included in it).
        result = {
          failed,
          errors,
          total: Number(m[3]),
          database: m[4] ?? null,
          line: entry.line,
          passed: failed === 0 && errors === 0,
        };
      }
      continue;
    }
    if (entry.level !== "ERROR") continue;
    const f = FAILURE.exec(entry.message);
    if (f) failures.push({ kind: f[1] as "FAIL" | "ERROR", test: f[2]!, logger: entry.logger, line: entry.line });
  }
  return result ? { ...result, failures } : null;
}
