import http from "node:http";

export interface HttpWaitResult {
  ok: boolean;
  /** Last HTTP status seen (null: never answered). */
  status: number | null;
  elapsedMs: number;
  /** Last connection error, when it never answered. */
  error: string | null;
}

/**
 * Polls a URL until it answers `expectStatus` (200 by default) or the deadline passes. Never
 * throws: the caller decides what a failed health check means.
 */
export async function waitForHttp(options: {
  url: string;
  timeoutMs: number;
  intervalMs?: number;
  expectStatus?: number;
  /** Stop early (e.g. the container died). Returning true aborts the wait. */
  shouldAbort?: () => Promise<boolean> | boolean;
  /** Ask `shouldAbort` at most this often (it may cost more than a poll: an engine call). Default: every poll. */
  abortCheckEveryMs?: number;
}): Promise<HttpWaitResult> {
  const started = Date.now();
  let lastAbortCheck = started;
  const expect = options.expectStatus ?? 200;
  let status: number | null = null;
  let error: string | null = null;
  while (Date.now() - started < options.timeoutMs) {
    try {
      status = await getStatus(options.url, Math.min(5_000, options.timeoutMs));
      if (status === expect) return { ok: true, status, elapsedMs: Date.now() - started, error: null };
    } catch (e) {
      error = String((e as Error).message ?? e);
    }
    if (options.shouldAbort && Date.now() - lastAbortCheck >= (options.abortCheckEveryMs ?? 0)) {
      lastAbortCheck = Date.now();
      if (await options.shouldAbort()) break;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  return { ok: false, status, elapsedMs: Date.now() - started, error };
}

/**
 * One GET on its own connection, closed right after the answer (`Connection: close`, no agent).
 * A pooled keep-alive connection would sit idle in the server until its timeout, and Odoo's
 * werkzeug logs that as `ERROR … Request timed out` in the user's log (issue 15).
 */
function getStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: "close" }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}
