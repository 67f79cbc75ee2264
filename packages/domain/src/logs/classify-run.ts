// Build status from logs, never from "container started" (docs/product/builds-and-tests.md): green = no
// WARNING/ERROR/CRITICAL line; yellow = warnings only; red = any ERROR/CRITICAL line, a traceback,
// a non-zero exit, a timeout, a missing "Modules loaded." or clean shutdown for runs with
// --stop-after-init, or a failed health check. Exit codes alone are not enough: Odoo 17 exits 0
// on unknown modules (WARNING) and on modules missing from the addons path (ERROR).
import { parseOdooLog, type OdooLogEntry, type OdooLogRecord } from "./parse-odoo-log";

export type BuildStatusColour = "green" | "yellow" | "red";

export type RunKind = "install" | "update" | "test" | "neutralize" | "serve" | "shell" | "pip" | "import";

export interface OffendingLine {
  /** Log level, or TRACEBACK for an unprefixed traceback, OUTPUT for the tail of a failed run. */
  level: string;
  /** 1-based line number in the run's log. */
  line: number;
  /** The record with its continuation (traceback) lines, trimmed to a readable size. */
  text: string;
  run: RunKind;
}

export interface RunClassification {
  status: BuildStatusColour;
  reasons: string[];
  offending: OffendingLine[];
  counts: { warning: number; error: number; critical: number; traceback: number };
}

export interface ClassifyRunOptions {
  kind: RunKind;
  /** Process exit code; null when the process ended without one (killed). */
  exitCode: number | null;
  timedOut?: boolean;
  timeLimitSeconds?: number;
  /** Raw output, or entries already parsed with parseOdooLog. */
  output: string | readonly OdooLogEntry[];
  /** Defaults to true for install, update and test runs (they use --stop-after-init). */
  stopAfterInit?: boolean;
  healthCheck?: { ok: boolean; detail?: string };
}

export const MAX_OFFENDING = 100;
const MAX_TEXT_LINES = 60;
const HEAD_LINES = 20;
const MAX_LINE_CHARS = 2000;
const OUTPUT_TAIL_LINES = 20;
const TRACEBACK = "Traceback (most recent call last):";
const STOP_AFTER_INIT_KINDS: readonly RunKind[] = ["install", "update", "test"];

export function classifyRun(options: ClassifyRunOptions): RunClassification {
  const { kind } = options;
  const entries = typeof options.output === "string" ? parseOdooLog(options.output) : options.output;
  const counts = { warning: 0, error: 0, critical: 0, traceback: 0 };
  const offending: OffendingLine[] = [];
  let lowLevelTracebacks = 0;
  let modulesLoaded = false;
  let shutdown = false;

  const offend = (level: string, line: number, lines: string[]) => {
    if (offending.length < MAX_OFFENDING) offending.push({ level, line, text: trimText(lines), run: kind });
  };

  for (const entry of entries) {
    if (entry.kind === "noise") continue;
    if (entry.kind === "raw") {
      if (entry.lines.some(isTracebackLine)) {
        counts.traceback++;
        lowLevelTracebacks++;
        offend("TRACEBACK", entry.line, entry.lines);
      }
      continue;
    }
    // "0 failed, 0 error(s) of 0 tests": Odoo warns that a run with --test-enable found no test.
    // A branch without tests has nothing wrong with it: not a warning of the build (issue 15).
    const severity = isEmptyTestReport(entry) ? "none" : severityOf(entry.level);
    const hasTraceback = entry.continuation.some(isTracebackLine);
    if (hasTraceback) counts.traceback++;
    if (severity === "critical") counts.critical++;
    else if (severity === "error") counts.error++;
    else if (severity === "warning") counts.warning++;
    // A traceback is red even when logged at WARNING or INFO (e.g. exc_info on a lower level).
    if (hasTraceback && (severity === "warning" || severity === "none")) lowLevelTracebacks++;
    if (severity !== "none" || hasTraceback) offend(entry.level, entry.line, recordLines(entry));
    if (entry.message === "Modules loaded.") modulesLoaded = true;
    if (entry.message.startsWith("Initiating shutdown")) shutdown = true;
  }

  const red: string[] = [];
  if (options.timedOut) {
    red.push(
      options.timeLimitSeconds !== undefined
        ? `${kind} run exceeded its time limit of ${options.timeLimitSeconds} s`
        : `${kind} run exceeded its time limit`,
    );
  } else if (options.exitCode === null) red.push(`${kind} run ended without an exit code`);
  if (options.exitCode !== null && options.exitCode !== 0) red.push(`${kind} run exited with code ${options.exitCode}`);
  if (counts.critical > 0) red.push(`${kind} log has ${plural(counts.critical, "CRITICAL line")}`);
  if (counts.error > 0) red.push(`${kind} log has ${plural(counts.error, "ERROR line")}`);
  if (lowLevelTracebacks > 0) red.push(`${kind} log has ${plural(lowLevelTracebacks, "traceback")} outside ERROR lines`);
  if (options.stopAfterInit ?? STOP_AFTER_INIT_KINDS.includes(kind)) {
    if (!modulesLoaded) red.push(`${kind} run never logged "Modules loaded."`);
    if (!shutdown) red.push(`${kind} run did not shut down cleanly (no "Initiating shutdown")`);
  }
  if (options.healthCheck && !options.healthCheck.ok) {
    red.push(`health check failed${options.healthCheck.detail ? `: ${options.healthCheck.detail}` : ""}`);
  }

  // A failed run without any offending line: show the end of its output instead.
  if (red.length > 0 && offending.length === 0) {
    const tail = tailLines(entries, OUTPUT_TAIL_LINES);
    if (tail) offend("OUTPUT", tail.line, tail.lines);
  }

  const warnings = counts.warning > 0 ? [`${kind} log has ${plural(counts.warning, "WARNING line")}`] : [];
  const status: BuildStatusColour = red.length > 0 ? "red" : warnings.length > 0 ? "yellow" : "green";
  return { status, reasons: [...red, ...warnings], offending, counts };
}

/** Several runs of one build (e.g. install, then serve): the worst status wins. */
export function combineRunClassifications(runs: readonly RunClassification[]): RunClassification {
  const rank: Record<BuildStatusColour, number> = { green: 0, yellow: 1, red: 2 };
  let status: BuildStatusColour = "green";
  const counts = { warning: 0, error: 0, critical: 0, traceback: 0 };
  const reasons: string[] = [];
  const offending: OffendingLine[] = [];
  for (const run of runs) {
    if (rank[run.status] > rank[status]) status = run.status;
    reasons.push(...run.reasons);
    for (const o of run.offending) if (offending.length < MAX_OFFENDING) offending.push(o);
    counts.warning += run.counts.warning;
    counts.error += run.counts.error;
    counts.critical += run.counts.critical;
    counts.traceback += run.counts.traceback;
  }
  return { status, reasons, offending, counts };
}

function severityOf(level: string): "critical" | "error" | "warning" | "none" {
  switch (level) {
    case "CRITICAL":
      return "critical";
    case "ERROR":
      return "error";
    case "WARNING":
    case "WARN":
      return "warning";
    default:
      return "none";
  }
}

function isEmptyTestReport(r: OdooLogRecord): boolean {
  return r.logger === "odoo.tests.result" && /^0 failed, 0 error\(s\) of 0 tests\b/.test(r.message);
}

function isTracebackLine(line: string): boolean {
  return line.startsWith(TRACEBACK);
}

function recordLines(r: OdooLogRecord): string[] {
  const header = `${r.timestamp} ${r.pid} ${r.level} ${r.db ?? "?"} ${r.logger}: ${r.message}`;
  return [header, ...r.continuation];
}

function trimText(lines: readonly string[]): string {
  let end = lines.length;
  while (end > 1 && lines[end - 1]!.trim() === "") end--;
  const clip = (l: string) => (l.length > MAX_LINE_CHARS ? `${l.slice(0, MAX_LINE_CHARS)}…` : l.trimEnd());
  if (end <= MAX_TEXT_LINES) return lines.slice(0, end).map(clip).join("\n");
  // Keep the head (what happened) and the tail (the exception at the bottom of a traceback).
  const tail = MAX_TEXT_LINES - HEAD_LINES;
  return [
    ...lines.slice(0, HEAD_LINES).map(clip),
    `… ${end - MAX_TEXT_LINES} lines omitted …`,
    ...lines.slice(end - tail, end).map(clip),
  ].join("\n");
}

function tailLines(entries: readonly OdooLogEntry[], count: number): { line: number; lines: string[] } | null {
  const collected: { line: number; text: string }[] = [];
  for (let i = entries.length - 1; i >= 0 && collected.length < count; i--) {
    const e = entries[i]!;
    const lines =
      e.kind === "record"
        ? recordLines(e).map((text, k) => ({ line: e.line + k, text }))
        : e.kind === "raw"
          ? e.lines.map((text, k) => ({ line: e.line + k, text }))
          : [{ line: e.line, text: e.text }];
    collected.unshift(...lines.slice(-(count - collected.length)));
  }
  if (collected.length === 0) return null;
  return { line: collected[0]!.line, lines: collected.map((c) => c.text) };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
