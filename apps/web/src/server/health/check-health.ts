// GET /api/health: is the control plane usable? Database and Redis decide the status code;
// the worker is reported (its heartbeat) but does not make the web app unhealthy.

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface WorkerStatus {
  ok: boolean;
  lastHeartbeatAt?: string;
  pid?: number;
}

export interface HealthReport {
  status: "ok" | "degraded";
  database: ProbeResult;
  redis: ProbeResult;
  worker: WorkerStatus;
}

export interface HeartbeatReading {
  at: string;
  pid: number;
}

export const HEALTH_PROBE_TIMEOUT_MS = 2000;

/** Rejects after `ms` so a hung dependency cannot hang the health endpoint. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Connection errors can echo URLs; never leak credentials from them.
  return text.replace(/\/\/[^@\s/]*@/g, "//***@").slice(0, 300);
}

export async function probe(check: () => Promise<unknown>, timeoutMs: number = HEALTH_PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  const started = performance.now();
  try {
    await withTimeout(check(), timeoutMs);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: errorText(error) };
  }
}

export async function checkHealth(options: {
  pingDatabase: () => Promise<unknown>;
  pingRedis: () => Promise<unknown>;
  readHeartbeat: () => Promise<HeartbeatReading | null>;
  timeoutMs?: number;
}): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? HEALTH_PROBE_TIMEOUT_MS;
  const [database, redis, heartbeat] = await Promise.all([
    probe(options.pingDatabase, timeoutMs),
    probe(options.pingRedis, timeoutMs),
    withTimeout(options.readHeartbeat(), timeoutMs).catch(() => null),
  ]);
  const worker: WorkerStatus = heartbeat ? { ok: true, lastHeartbeatAt: heartbeat.at, pid: heartbeat.pid } : { ok: false };
  return { status: database.ok && redis.ok ? "ok" : "degraded", database, redis, worker };
}

export function healthStatusCode(report: HealthReport): number {
  return report.status === "ok" ? 200 : 503;
}
