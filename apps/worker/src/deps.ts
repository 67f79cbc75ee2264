import { fileURLToPath } from "node:url";
import type { WorkerConfig } from "@slipway/config";
import type { Db } from "@slipway/db";
import type { DockerEngine } from "@slipway/docker";
import type { Queues } from "@slipway/queue";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ServerLogKeeper } from "./monitor/server-log-keeper";
import type { ManagedPostgres } from "./postgres";
import type { CaddyClient } from "./proxy/caddy";
import type { FaultInjector } from "./recovery/swap-journal";

// The shape of the worker's dependencies and its constants, imported by every module that takes
// `deps`. Type imports only (besides node:url): the factory that builds them, and so starts the
// monitor, PostgreSQL, proxy and firewall code, lives in create-deps.ts.

/** Everything the worker talks to, composed once per process (no DI container). */
export interface WorkerDeps {
  config: WorkerConfig;
  logger: Logger;
  /** The control-plane database, handed to @slipway/db repository functions. */
  prisma: Db;
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
  /** Overrides the configuration's staging clone settings (ADR 0009; tests). */
  stagingClones?: WorkerConfig["stagingClones"];
  /** Tests only: simulated crashes at the step boundaries of journaled operations (recovery/swap-journal.ts). */
  faults?: FaultInjector;
}

/** Platform addons every build server loads (`--load`): routes for all databases, never installed. */
export const PLATFORM_SERVER_WIDE_MODULES = ["slipway_connect"] as const;

export const PLATFORM_ADDONS_PATH = fileURLToPath(new URL("../odoo-addons", import.meta.url));
