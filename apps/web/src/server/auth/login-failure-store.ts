import type { Redis } from "ioredis";
import type { LoginRateLimitPolicy } from "./login-rate-limit";

/** Who is attempting: the login tried (normalized) and the client address ("unknown" when not known). */
export interface LoginFailureKeys {
  ip: string;
  login: string;
}

export type LoginReservation = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Login throttling counters in Redis, shared by every web process and surviving restarts
 * (issue 12, M2). `reserve` is one atomic step — check the waits, then count the attempt and set
 * the next wait — taken BEFORE the password is verified, so N parallel guesses are N counted
 * attempts, not N reads of the same count.
 */
export interface LoginFailureStore {
  reserve(options: { keys: LoginFailureKeys; policy: LoginRateLimitPolicy }): Promise<LoginReservation>;
  /** After a successful login: forget this (login, address)'s attempts and give back the address's slot. */
  succeeded(keys: LoginFailureKeys): Promise<void>;
}

// KEYS: the (login, address) counter, then optionally the address counter. ARGV: per key its free
// attempts, then base delay, max delay, window (ms). Times are Redis's own clock (shared by all
// web processes). Each counter is a hash {n: attempts, next: earliest next attempt (ms)}.
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local base, maxDelay, window = tonumber(ARGV[#KEYS + 1]), tonumber(ARGV[#KEYS + 2]), tonumber(ARGV[#KEYS + 3])
local wait = 0
for i, key in ipairs(KEYS) do
  local nextAt = tonumber(redis.call('HGET', key, 'next') or '0')
  if nextAt - now > wait then wait = nextAt - now end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  local n = redis.call('HINCRBY', key, 'n', 1)
  local free = tonumber(ARGV[i])
  local delay = 0
  if n >= free then delay = math.min(maxDelay, base * 2 ^ math.min(n - free, 40)) end
  redis.call('HSET', key, 'next', now + delay)
  redis.call('PEXPIRE', key, window)
end
return 0
`;

// KEYS: the (login, address) counter, the address counter (if any).
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
if KEYS[2] and redis.call('EXISTS', KEYS[2]) == 1 then
  if redis.call('HINCRBY', KEYS[2], 'n', -1) <= 0 then redis.call('DEL', KEYS[2]) end
end
return 1
`;

export function createRedisLoginFailureStore(options: { redis: Redis; prefix?: string }): LoginFailureStore {
  const { redis } = options;
  const prefix = options.prefix ?? "slipway:login-attempts";
  const part = (value: string) => encodeURIComponent(value).slice(0, 200);
  // The address counter only for a known address: "unknown" would be everybody's bucket.
  const redisKeys = (keys: LoginFailureKeys): string[] => [
    `${prefix}:pair:${part(keys.ip)}:${part(keys.login)}`,
    ...(keys.ip === "unknown" ? [] : [`${prefix}:ip:${part(keys.ip)}`]),
  ];

  return {
    async reserve({ keys, policy }) {
      const k = redisKeys(keys);
      const free = [policy.freeAttempts, policy.addressFreeAttempts].slice(0, k.length).map(String);
      const wait = Number(
        await redis.eval(RESERVE, k.length, ...k, ...free, String(policy.baseDelayMs), String(policy.maxDelayMs), String(policy.windowMs)),
      );
      return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
    },

    async succeeded(keys) {
      const k = redisKeys(keys);
      await redis.eval(SUCCEEDED, k.length, ...k);
    },
  };
}
