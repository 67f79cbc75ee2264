import path from "node:path";
import { fileURLToPath } from "node:url";
import type { WorkerConfig } from "@slipway/config";
import { getPrisma, type PrismaClient } from "@slipway/db";
import { connectDocker, type DockerEngine } from "@slipway/docker";
import { createQueues, createRedisConnection, type Queues } from "@slipway/queue";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { ServerLogKeeper } from "./monitor/server-log-keeper";
import { ensureManagedPostgres, type ManagedPostgres } from "./postgres";
import { ensureHostFirewall } from "./isolation/host-firewall";
import { CaddyClient } from "./proxy/caddy";
import type { FaultInjector } from "./recovery/swap-journal";

/** Everything the worker talks to, composed once per process (no DI container). */
export interface WorkerDeps {
  config: WorkerConfig;
  logger: Logger;
  prisma: PrismaClient;
  /** Producer connection: enqueueing follow-up jobs and publishing live notices. */
  redis: Redis;
  queues: Queues;
  docker: DockerEngine;
  caddy: CaddyClient;
  /** The managed PostgreSQL server for Odoo databases, started on first use. */
  postgres: () => Promise<ManagedPostgres>;
  /** Folder of the platform's own Odoo addons (connect), mounted read-only into builds. */
  platformAddonsPath: string;
  /** Builds running in this process, for cancellation. */
  running: Map<string, AbortController>;
  /** Running servers' output followed into their odoo.log (the Logs tab reads it live). */
  serverLogs: ServerLogKeeper;
  /**
   * The worker's mail catcher (neutralized databases and development servers send mail there), once
   * started: it listens on each project network's gateway on demand. Unset: port 2525 is assumed.
   */
  mailCatcher?: { port: number; listenOn(host: string): Promise<void> };
  /**
   * How old the staging source (snapshot of production staging builds copy from) may be. Unset or
   * 0: taken after the build asked for it (always current production); see ADR 0002.
   */
  stagingSourceMaxAgeMs?: number;
  /** Tests only: simulated crashes at the step boundaries of journaled operations (recovery/swap-journal.ts). */
  faults?: FaultInjector;
}

/** Platform addons every build server loads (`--load`): routes for all databases, never installed. */
export const PLATFORM_SERVER_WIDE_MODULES = ["slipway_connect"] as const;

export const PLATFORM_ADDONS_PATH = fileURLToPath(new URL("../odoo-addons", import.meta.url));

export function createWorkerDeps(options: { config: WorkerConfig; logger: Logger }): WorkerDeps {
  const { config, logger } = options;
  const redis = createRedisConnection({ url: config.redisUrl, role: "producer", name: "slipway-worker-producer" });
  redis.on("error", (error: Error) => logger.warn({ err: error.message }, "redis (producer) connection error"));
  const docker = connectDocker({ socketPath: config.docker.socketPath });
  let pg: Promise<ManagedPostgres> | null = null;
  return {
    config,
    logger,
    prisma: getPrisma(config.databaseUrl),
    redis,
    queues: createQueues({ connection: redis }),
    docker,
    caddy: new CaddyClient({ adminUrl: config.caddy.adminUrl }),
    postgres: () => {
      // The host firewall goes up with the server builds log in to: no build runs without it.
      pg ??= ensureManagedPostgres({ docker, image: config.odooPgImage, home: config.home })
        .then(async (server) => {
          await ensureHostFirewall({ allowTcpPorts: [config.mailCatcher.port] }).catch((error: unknown) =>
            logger.error(
              { err: (error as Error).message },
              "host firewall could not be installed: build containers may reach this host's services",
            ),
          );
          return server;
        })
        .catch((e) => {
          pg = null;
          throw e;
        });
      return pg;
    },
    platformAddonsPath: path.resolve(PLATFORM_ADDONS_PATH),
    running: new Map(),
    serverLogs: new ServerLogKeeper({ redis }),
  };
}
