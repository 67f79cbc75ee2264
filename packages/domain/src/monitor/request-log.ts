/**
 * Odoo's HTTP request lines (logger `werkzeug`) in odoo.log, e.g.
 *   2026-11-21 11:03:20,101 1 INFO db werkzeug: 172.18.0.1 - - [21/Nov/2026 11:03:20] "GET /web HTTP/1.1" 200 - 12 0.010 0.030
 * The three trailing numbers (Odoo ≥ 12) are the SQL query count, the SQL time and the remaining
 * time, in seconds: their sum is the response time. Odoo writes its log timestamps in UTC.
 */
export interface RequestLine {
  /** Milliseconds since the epoch (UTC), from the Odoo log prefix. */
  at: number;
  method: string;
  path: string;
  status: number;
  /** null when the line has no timing suffix (older Odoo, or a websocket upgrade). */
  responseMs: number | null;
  queryCount: number | null;
}

const LINE =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),(\d{3}) \d+ \w+ \S+ werkzeug: \S+ - \S+ \[[^\]]*\] "([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) (?:-|\d+)(?: (\d+) ([\d.]+) ([\d.]+))?\s*$/;

/** The request of one log line, or null when the line is not a werkzeug request line. */
export function parseRequestLine(line: string): RequestLine | null {
  if (!line.includes(" werkzeug: ")) return null;
  const m = LINE.exec(line);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, ms, method, path, status, queries, sqlTime, otherTime] = m as unknown as string[];
  const at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms));
  const timed = queries !== undefined && sqlTime !== undefined && otherTime !== undefined;
  return {
    at,
    method: method!,
    path: path!,
    status: Number(status),
    responseMs: timed ? Math.round((Number(sqlTime) + Number(otherTime)) * 1000 * 10) / 10 : null,
    queryCount: timed ? Number(queries) : null,
  };
}

export interface RequestSummary {
  requests: number;
  /** Server errors (5xx): what Odoo.sh's "HTTP errors" counts (check odoo.log). */
  errors: number;
  /** Mean response time of the timed requests, null when none was timed. */
  avgResponseMs: number | null;
  maxResponseMs: number | null;
}

/** Counts and timings of the request lines among `lines` (other lines are skipped). */
export function summarizeRequests(lines: Iterable<string>): RequestSummary {
  let requests = 0;
  let errors = 0;
  let timed = 0;
  let total = 0;
  let max: number | null = null;
  for (const line of lines) {
    const r = parseRequestLine(line);
    if (!r) continue;
    requests++;
    if (r.status >= 500) errors++;
    if (r.responseMs !== null) {
      timed++;
      total += r.responseMs;
      max = max === null ? r.responseMs : Math.max(max, r.responseMs);
    }
  }
  return { requests, errors, avgResponseMs: timed ? Math.round((total / timed) * 10) / 10 : null, maxResponseMs: max };
}
