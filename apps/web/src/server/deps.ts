import { exitOnConfigError, loadWebConfig, type WebConfig } from "@slipway/config";
import {
  createSessionRepository,
  createUserRepository,
  getPrisma,
  type Db,
  type SessionRepository,
  type UserRepository,
} from "@slipway/db";
import { createQueues, createRedisConnection, enqueueBuildRun, type Queues } from "@slipway/queue";
import type { Redis } from "ioredis";
import { createRedisLoginFailureStore, type LoginFailureStore } from "./auth/login-failure-store";
import { defaultLoginRateLimitPolicy, type LoginRateLimitPolicy } from "./auth/login-rate-limit";

/** Everything the web process talks to, composed once per process (no DI container). */
export interface WebDeps {
  config: WebConfig;
  prisma: Db;
  redis: Redis;
  users: UserRepository;
  sessions: SessionRepository;
  loginFailures: LoginFailureStore;
  loginPolicy: LoginRateLimitPolicy;
  queues: Queues;
  /** Queues the run of a queued build (ids only; the worker re-reads the row): startBuild's job side. */
  enqueueBuild: (buildId: string) => Promise<void>;
}

function createDeps(): WebDeps {
  // A bad environment stops the server at boot with the readable list (exit code 78).
  const config = exitOnConfigError(() => loadWebConfig());
  const prisma = getPrisma(config.databaseUrl);
  // A producer connection fails commands fast while Redis is down instead of queueing forever.
  const redis = createRedisConnection({ url: config.redisUrl, role: "producer", name: "slipway-web" });
  // Without a listener ioredis reports every reconnect failure as an unhandled error event; log
  // the first failure of each outage only (/api/health shows the current state).
  let reported = false;
  redis.on("error", (error: Error) => {
    if (!reported) console.error(`Slipway web: Redis connection error: ${error.message}`);
    reported = true;
  });
  redis.on("ready", () => {
    reported = false;
  });
  const queues = createQueues({ connection: redis });
  return {
    config,
    prisma,
    redis,
    users: createUserRepository({ prisma }),
    sessions: createSessionRepository({ prisma }),
    loginFailures: createRedisLoginFailureStore({ redis }),
    loginPolicy: defaultLoginRateLimitPolicy,
    queues,
    enqueueBuild: async (buildId) => {
      await enqueueBuildRun(queues, buildId);
    },
  };
}

// On globalThis so Next's dev reloads and separately bundled route chunks share one instance.
const key = Symbol.for("slipway.web.deps");

export function deps(): WebDeps {
  const holder = globalThis as { [key]?: WebDeps };
  holder[key] ??= createDeps();
  return holder[key];
}
