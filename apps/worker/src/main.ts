import { readFileSync } from "node:fs";
import { exitOnConfigError, loadWorkerConfig, privateStateFolders, restrictFileModes, securePrivateFolders } from "@slipway/config";
import { makeTreeReadable } from "@slipway/git";
import { PLATFORM_ADDONS_PATH } from "./deps";
import { createLogger } from "./logger";
import { runWorker } from "./run-worker";
import { onShutdownSignal } from "./shutdown";

// Before anything is written: logs, dumps, mails and checkouts are private to the platform's user.
restrictFileModes();
const config = exitOnConfigError(() => loadWorkerConfig());
const logger = createLogger({ level: config.logLevel });
const secured = securePrivateFolders({ home: config.home, folders: privateStateFolders(config) });
logger.info(
  { home: config.home, homeMode: secured.home.toString(8), folders: secured.folders.length },
  "state folders private (umask 077)",
);
// The platform addons are mounted into Odoo containers (uid 101): they must stay readable by all
// even when the installation was cloned with a strict umask.
void makeTreeReadable(PLATFORM_ADDONS_PATH).catch((error: unknown) =>
  logger.error({ err: error, path: PLATFORM_ADDONS_PATH }, "platform addons are not readable by the Odoo user: builds cannot connect"),
);
const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

process.on("uncaughtException", (error) => {
  logger.fatal({ err: error }, "uncaught exception");
  logger.flush();
  process.exit(1);
});
process.on("unhandledRejection", (reason) => {
  logger.fatal({ err: reason }, "unhandled rejection");
  logger.flush();
  process.exit(1);
});

const worker = runWorker({ config, logger, version });

onShutdownSignal({
  shutdown: async (signal) => {
    logger.info({ signal }, "shutting down: no new jobs, waiting for running ones");
    try {
      const { timedOut } = await worker.stop();
      logger.info({ timedOut }, "worker stopped");
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, "shutdown failed");
      logger.flush();
      process.exit(1);
    }
  },
  onSecondSignal: (signal) => {
    logger.warn({ signal }, "second signal: exiting without waiting");
    logger.flush();
  },
});
