// Parses the text output of an Odoo process (server log on stdout/stderr) into entries.
// Format (odoo/netsvc.py): `YYYY-MM-DD HH:MM:SS,mmm PID LEVEL DB LOGGER: message`; continuation
// lines (tracebacks, multi-line messages) carry no prefix. Single pass, linear in the input size.

export interface OdooLogRecord {
  kind: "record";
  /** 1-based line number of the record's first line in the output. */
  line: number;
  timestamp: string;
  pid: number;
  /** Level name as printed (ANSI colours stripped): DEBUG, INFO, WARNING, ERROR, CRITICAL… */
  level: string;
  /** Database bound to the logging thread; null when Odoo prints `?`. */
  db: string | null;
  logger: string;
  /** Message of the first line, trailing whitespace removed. */
  message: string;
  /** Lines that followed without a prefix (traceback lines etc.), ANSI stripped, `\r` removed. */
  continuation: string[];
}

/** A known harmless non-log line, e.g. reportlab's font warning printed at every start. */
export interface OdooLogNoise {
  kind: "noise";
  line: number;
  text: string;
}

/** Unprefixed lines that appeared before any log record (consecutive ones grouped). */
export interface OdooLogRaw {
  kind: "raw";
  line: number;
  lines: string[];
}

export type OdooLogEntry = OdooLogRecord | OdooLogNoise | OdooLogRaw;

const PREFIX = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[,.]\d{3}) (\d+) ([A-Z][A-Z_0-9]*) (\S+) ([^\s:]+): ?(.*)$/;

// ESC [ params intermediates final — the colour codes Odoo adds around the level under a TTY.
// eslint-disable-next-line no-control-regex -- matching the ESC character is the point.
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

// Lines known to be harmless (see research/odoo17-observed-behaviour.md §3 and §6).
const NOISE: readonly RegExp[] = [/^Warn: Can't find \.pfb for face '[^']*'\s*$/];

export function stripAnsi(text: string): string {
  return text.includes("\u001b") ? text.replace(ANSI, "") : text;
}

export function isHarmlessNoise(line: string): boolean {
  return NOISE.some((re) => re.test(line));
}

export function parseOdooLog(output: string): OdooLogEntry[] {
  const entries: OdooLogEntry[] = [];
  const lines = output.split("\n");
  // A trailing newline yields one empty last element that is not a line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();

  let current: OdooLogRecord | OdooLogRaw | null = null;
  for (let i = 0; i < lines.length; i++) {
    const text = stripAnsi(stripCarriageReturn(lines[i]!));
    const m = PREFIX.exec(text);
    if (m) {
      const record: OdooLogRecord = {
        kind: "record",
        line: i + 1,
        timestamp: m[1]!,
        pid: Number(m[2]),
        level: m[3]!,
        db: m[4] === "?" ? null : m[4]!,
        logger: m[5]!,
        message: m[6]!.trimEnd(),
        continuation: [],
      };
      entries.push(record);
      current = record;
      continue;
    }
    if (isHarmlessNoise(text)) {
      entries.push({ kind: "noise", line: i + 1, text: text.trimEnd() });
      // Noise ends a raw block; after a record, later unprefixed lines still belong to it.
      if (current?.kind === "raw") current = null;
      continue;
    }
    if (current?.kind === "record") {
      current.continuation.push(text);
      continue;
    }
    if (text.trim() === "" && current === null) continue;
    if (current?.kind === "raw") current.lines.push(text);
    else {
      current = { kind: "raw", line: i + 1, lines: [text] };
      entries.push(current);
    }
  }
  return entries;
}

function stripCarriageReturn(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
