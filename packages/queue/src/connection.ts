import { Redis } from "ioredis";

export type RedisRole = "worker" | "producer";

/**
 * Opens a Redis connection. Workers block on Redis and must retry forever
 * (`maxRetriesPerRequest: null`, required by BullMQ); producers (web requests, health checks)
 * should fail fast instead of hanging while Redis is down.
 */
export function createRedisConnection(options: { url: string; role: RedisRole; name?: string }): Redis {
  return new Redis(options.url, {
    maxRetriesPerRequest: options.role === "worker" ? null : 2,
    connectionName: options.name,
  });
}
