import type { Redis } from "ioredis";
import { z } from "zod";

/** The worker writes every 5 s; a missing key after 15 s means it is gone. */
export const HEARTBEAT_TTL_MS = 15_000;
export const DEFAULT_HEARTBEAT_KEY = "slipway:worker:heartbeat";

const heartbeatSchema = z.object({
  pid: z.number().int(),
  startedAt: z.iso.datetime(),
  at: z.iso.datetime(),
  version: z.string(),
});

export type WorkerHeartbeat = z.infer<typeof heartbeatSchema>;

export async function writeWorkerHeartbeat(
  redis: Redis,
  info: WorkerHeartbeat,
  options: { key?: string; ttlMs?: number } = {},
): Promise<void> {
  await redis.set(options.key ?? DEFAULT_HEARTBEAT_KEY, JSON.stringify(info), "PX", options.ttlMs ?? HEARTBEAT_TTL_MS);
}

/** The last heartbeat and its age, or null when none is alive (expired, removed or unreadable). */
export async function readWorkerHeartbeat(
  redis: Redis,
  options: { key?: string; now?: Date } = {},
): Promise<(WorkerHeartbeat & { ageMs: number }) | null> {
  const raw = await redis.get(options.key ?? DEFAULT_HEARTBEAT_KEY);
  if (raw === null) return null;
  let parsed;
  try {
    parsed = heartbeatSchema.safeParse(JSON.parse(raw));
  } catch {
    return null;
  }
  if (!parsed.success) return null;
  const ageMs = (options.now ?? new Date()).getTime() - Date.parse(parsed.data.at);
  return { ...parsed.data, ageMs };
}

/**
 * Removes the heartbeat on clean shutdown, only if it is still this process's own (same pid and
 * start time: in containers every worker may be pid 1).
 */
export async function clearWorkerHeartbeat(redis: Redis, options: { pid: number; startedAt: string; key?: string }): Promise<boolean> {
  const key = options.key ?? DEFAULT_HEARTBEAT_KEY;
  // Compare-and-delete atomically so a newer worker's heartbeat is never removed.
  const removed = await redis.eval(
    "local v = redis.call('GET', KEYS[1]); if not v then return 0 end; " +
      "local ok, hb = pcall(cjson.decode, v); " +
      "if ok and hb.pid == tonumber(ARGV[1]) and hb.startedAt == ARGV[2] then return redis.call('DEL', KEYS[1]) end; return 0",
    1,
    key,
    String(options.pid),
    options.startedAt,
  );
  return removed === 1;
}
