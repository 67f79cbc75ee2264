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
}): Promise<HttpWaitResult> {
  const started = Date.now();
  const expect = options.expectStatus ?? 200;
  let status: number | null = null;
  let error: string | null = null;
  while (Date.now() - started < options.timeoutMs) {
    try {
      const res = await fetch(options.url, {
        redirect: "manual",
        signal: AbortSignal.timeout(Math.min(5_000, options.timeoutMs)),
      });
      status = res.status;
      await res.body?.cancel();
      if (status === expect) return { ok: true, status, elapsedMs: Date.now() - started, error: null };
    } catch (e) {
      error = (e as Error).cause ? String((e as { cause: unknown }).cause) : String(e);
    }
    if (options.shouldAbort && (await options.shouldAbort())) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
  return { ok: false, status, elapsedMs: Date.now() - started, error };
}
