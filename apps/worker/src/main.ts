import { readFileSync } from "node:fs";
import { exitOnConfigError, loadWorkerConfig } from "@slipway/config";
import { createLogger } from "./logger";
import { runWorker } from "./run-worker";
import { onShutdownSignal } from "./shutdown";

const config = exitOnConfigError(() => loadWorkerConfig());
const logger = createLogger({ level: config.logLevel });
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
