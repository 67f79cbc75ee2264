import type { Redis } from "ioredis";
import type { FailureCount } from "./login-rate-limit";

/** Keys of the two failure counters of one attempt (see login-rate-limit.ts). */
export interface LoginFailureKeys {
  ip: string;
  login: string;
}

/**
 * Failure counters in Redis, so throttling survives restarts and is shared by every web process.
 * Fixed windows: the first failure starts the window (key expiry), later ones only count.
 */
export interface LoginFailureStore {
  read(keys: LoginFailureKeys): Promise<{ ip: FailureCount; login: FailureCount }>;
  recordFailure(options: { keys: LoginFailureKeys; windowMs: number }): Promise<void>;
  /** After a successful login: forget this login's and this address's failures. */
  clear(keys: LoginFailureKeys): Promise<void>;
}

// Atomic per key: INCR, then start the window when the key is new (or has lost its expiry).
const RECORD_FAILURE = `
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or redis.call('PTTL', key) < 0 then
    redis.call('PEXPIRE', key, ARGV[1])
  end
end
return 1
`;

export function createRedisLoginFailureStore(options: { redis: Redis; prefix?: string }): LoginFailureStore {
  const { redis } = options;
  const prefix = options.prefix ?? "slipway:login-failures";
  const redisKeys = (keys: LoginFailureKeys): [string, string] => [
    `${prefix}:ip:${encodeURIComponent(keys.ip).slice(0, 200)}`,
    `${prefix}:login:${encodeURIComponent(keys.login).slice(0, 200)}`,
  ];

  function toCount(value: unknown, ttl: unknown): FailureCount {
    const count = typeof value === "string" ? Number.parseInt(value, 10) : 0;
    const resetInMs = typeof ttl === "number" && ttl > 0 ? ttl : 0;
    return { count: Number.isFinite(count) ? count : 0, resetInMs };
  }

  return {
    async read(keys) {
      const [ipKey, loginKey] = redisKeys(keys);
      const results = await redis.multi().get(ipKey).pttl(ipKey).get(loginKey).pttl(loginKey).exec();
      if (!results) throw new Error("Redis transaction was aborted");
      const values = results.map(([error, value]) => {
        if (error) throw error;
        return value;
      });
      return { ip: toCount(values[0], values[1]), login: toCount(values[2], values[3]) };
    },

    async recordFailure({ keys, windowMs }) {
      await redis.eval(RECORD_FAILURE, 2, ...redisKeys(keys), String(windowMs));
    },

    async clear(keys) {
      await redis.del(...redisKeys(keys));
    },
  };
}
