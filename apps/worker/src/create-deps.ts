import path from "node:path";
import type { WorkerConfig } from "@slipway/config";
import { getPrisma } from "@slipway/db";
import { connectDocker, containerIp } from "@slipway/docker";
import { createQueues, createRedisConnection } from "@slipway/queue";
import type { Logger } from "pino";
import { PLATFORM_ADDONS_PATH, type WorkerDeps } from "./deps";
import { ensureHostFirewall } from "./isolation/host-firewall";
import { ServerLogKeeper } from "./monitor/server-log-keeper";
import { ensureManagedPostgres, type ManagedPostgres } from "./postgres";
import { CaddyClient } from "./proxy/caddy";

const PG_ADDRESS_CHECK_MS = 15_000;

export function createWorkerDeps(options: { config: WorkerConfig; logger: Logger }): WorkerDeps {
  const { config, logger } = options;
  const redis = createRedisConnection({ url: config.redisUrl, role: "producer", name: "slipway-worker-producer" });
  redis.on("error", (error: Error) => logger.warn({ err: error.message }, "redis (producer) connection error"));
  const docker = connectDocker({ socketPath: config.docker.socketPath });
  let pg: Promise<ManagedPostgres> | null = null;
  let checkedAt = 0;
  /**
   * The server's address is re-read at most every PG_ADDRESS_CHECK_MS: an engine restart may give
   * its container another address. Unreadable (the engine is down): the last one is kept.
   */
  const stillAt = async (server: ManagedPostgres): Promise<boolean> => {
    if (Date.now() - checkedAt < PG_ADDRESS_CHECK_MS) return true;
    const ip = await containerIp({ docker, container: server.containerName, network: server.platformNetwork }).catch(() => server.host);
    checkedAt = Date.now();
    return ip === server.host || ip === null;
  };
  return {
    config,
    logger,
    prisma: getPrisma(config.databaseUrl),
    redis,
    queues: createQueues({ connection: redis }),
    docker,
    caddy: new CaddyClient({ adminUrl: config.caddy.adminUrl }),
    postgres: async () => {
      if (pg) {
        const server = await pg.catch(() => null);
        if (server && !(await stillAt(server))) {
          logger.warn({ container: server.containerName }, "the Odoo PostgreSQL server has a new address: connecting again");
          pg = null;
        }
      }
      // The host firewall goes up with the server builds log in to: no build runs without it.
      pg ??= ensureManagedPostgres({ docker, image: config.odooPgImage, home: config.home })
        .then(async (server) => {
          await ensureHostFirewall({ allowTcpPorts: [config.mailCatcher.port] }).catch((error: unknown) =>
            logger.error(
              { err: (error as Error).message },
              "host firewall could not be installed: build containers may reach this host's services",
            ),
          );
          checkedAt = Date.now();
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
