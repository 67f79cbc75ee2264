import path from "node:path";
import type { WorkerConfig } from "@slipway/config";
import { getPrisma } from "@slipway/db";
import { connectDocker } from "@slipway/docker";
import { createQueues, createRedisConnection } from "@slipway/queue";
import type { Logger } from "pino";
import { PLATFORM_ADDONS_PATH, type WorkerDeps } from "./deps";
import { ensureHostFirewall } from "./isolation/host-firewall";
import { ServerLogKeeper } from "./monitor/server-log-keeper";
import { ensureManagedPostgres, type ManagedPostgres } from "./postgres";
import { CaddyClient } from "./proxy/caddy";

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
