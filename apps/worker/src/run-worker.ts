import { panelBehindProxy, type WorkerConfig } from "@slipway/config";
import { clearWorkerHeartbeat, createRedisConnection, startWorkers, type WorkerEvent } from "@slipway/queue";
import type { Logger } from "pino";
import { startHeartbeat } from "./heartbeat-loop";
import { reconcile, RECONCILE_EVERY_MS, scheduleReconcile } from "./builds/reconcile";
import { startRouteKeeper } from "./proxy/route-keeper";
import { resumeInterruptedSwaps } from "./recovery/resume-swaps";
import { CRITICAL_SECTION_GRACE_MS, drainCriticalSections } from "./recovery/swap-journal";
import { createWorkerDeps } from "./create-deps";
import { createJobHandlers } from "./jobs/handlers";
import { syncBackupSchedulers } from "./backups/schedule-backups";
import { scheduleGarbageCollection } from "./gc/gc-schedule";
import { schedulePolling } from "./projects/poll-branches";
import { scheduleDomainChecks } from "./domains/check-domain";
import { runMailCatcher } from "./mail/run-mail-catcher";
import { startMonitorLoop } from "./monitor/monitor-loop";
import { startTerminalGateway } from "./terminal/gateway";
import { loadOrCreateHostKey } from "./terminal/ssh-host-key";
import { startSshServer } from "./terminal/ssh-server";

export const HEARTBEAT_INTERVAL_MS = 5_000;
/** Below the 20 s after which `npm start` sends SIGKILL. */
export const SHUTDOWN_GRACE_MS = 15_000;

function logEvent(logger: Logger, event: WorkerEvent): void {
  if (event.type === "job.failed") logger.warn(event, "job failed");
  else if (event.type === "worker.error") logger.error(event, "queue worker error");
  else if (event.type === "job.completed") logger.info(event, "job completed");
  else logger.debug(event, "job started");
}

/** Connects to Redis, starts the queue workers and the heartbeat; `stop` shuts them down in order. */
export function runWorker(options: { config: WorkerConfig; logger: Logger; version: string }): {
  stop(): Promise<{ timedOut: boolean }>;
} {
  const { config, logger } = options;
  const connection = createRedisConnection({ url: config.redisUrl, role: "worker", name: "slipway-worker" });
  // ioredis reconnects by itself; log instead of crashing on an unhandled "error" event.
  connection.on("error", (error: Error) => logger.warn({ err: error.message }, "redis connection error"));

  const startedAt = new Date().toISOString();
  const heartbeat = startHeartbeat({
    redis: connection,
    info: { pid: process.pid, startedAt, version: options.version },
    intervalMs: HEARTBEAT_INTERVAL_MS,
    onError: (error) => logger.warn({ err: String(error) }, "heartbeat write failed"),
  });
  const deps = createWorkerDeps({ config, logger });
  const workers = startWorkers({
    connection,
    handlers: createJobHandlers(deps),
    onEvent: (event) => logEvent(logger, event),
  });
  logger.info({ version: options.version, queues: workers.workers.map((w) => w.name) }, "worker started");
  // Build tools: Monitor samples every 30 s; web shells connect to the terminal gateway's port.
  const monitor = startMonitorLoop({ deps });
  // Behind the proxy (panelBehindProxy), browsers reach it as /terminal on the panel's origin.
  const terminal = startTerminalGateway({
    deps,
    host: config.web.host,
    port: config.terminalPort,
    behindProxy: panelBehindProxy(config),
  }).catch((error: unknown) => {
    logger.error({ err: error, port: config.terminalPort }, "terminal gateway not started: web shells are unavailable");
    return null;
  });
  // SSH to builds (`ssh <build id>@<host> -p <port>`): the same sessions as the web shell.
  const ssh = Promise.resolve()
    .then(() =>
      startSshServer({ deps, host: config.ssh.listenHost, port: config.ssh.port, hostKey: loadOrCreateHostKey(config.home).privateKey }),
    )
    .catch((error: unknown) => {
      logger.error({ err: error, port: config.ssh.port }, "ssh server not started: SSH to builds is unavailable");
      return null;
    });
  // Non-production builds send their mail to the catcher; garbage collection runs hourly.
  const mailCatcher = runMailCatcher(deps);
  void scheduleGarbageCollection(deps.queues).catch((error: unknown) =>
    logger.error({ err: error }, "could not schedule garbage collection"),
  );
  // Reconciliation every minute (requeues builds whose job was lost, frees stuck slots); the
  // scheduler is asserted again every minute: a flushed Redis loses it with the jobs.
  const scheduleReconciliation = () =>
    scheduleReconcile(deps.queues).catch((error: unknown) => logger.error({ err: error }, "could not schedule reconciliation"));
  void scheduleReconciliation();
  const reconcileSchedule = setInterval(() => void scheduleReconciliation(), RECONCILE_EVERY_MS);
  reconcileSchedule.unref();
  // Every project's repository is polled every SLIPWAY_POLL_INTERVAL_SECONDS (0: off), the fallback
  // of pushes without a webhook; asserted again every minute like the reconciliation's schedule.
  const schedulePolls = () =>
    schedulePolling(deps, config.pollIntervalSeconds).catch((error: unknown) => logger.error({ err: error }, "could not schedule polling"));
  void schedulePolls();
  const pollSchedule = setInterval(() => void schedulePolls(), RECONCILE_EVERY_MS);
  pollSchedule.unref();
  // Custom domains' CNAMEs are checked every SLIPWAY_DOMAIN_CHECK_INTERVAL_SECONDS (0: off), asserted every minute too.
  const scheduleChecks = () =>
    scheduleDomainChecks(deps, config.domains.checkIntervalSeconds).catch((error: unknown) =>
      logger.error({ err: error }, "could not schedule the custom domain checks"),
    );
  void scheduleChecks();
  const domainSchedule = setInterval(() => void scheduleChecks(), RECONCILE_EVERY_MS);
  domainSchedule.unref();
  // Routes follow their build's server container: at start, on server start/die/destroy, every minute.
  const routeKeeper = startRouteKeeper({ deps });
  // Daily production backups: one BullMQ scheduler per project, kept in sync with the projects
  // (created or deleted by the web app) at start and every ten minutes.
  const syncBackups = () =>
    syncBackupSchedulers({ deps }).catch((error: unknown) => logger.error({ err: error }, "could not sync the backup schedulers"));
  void syncBackups();
  const backupSync = setInterval(() => void syncBackups(), 10 * 60_000);
  backupSync.unref();
  // A crash loses nothing: a production rollback or restore swap left half-way is completed or
  // rolled back first (database and filestore), then interrupted builds resume, leftovers go.
  void resumeInterruptedSwaps(deps)
    .then((report) => {
      if (report.completed.length + report.rolledBack.length + report.failed.length > 0) logger.warn(report, "recovered interrupted swaps");
    })
    .catch((error) => logger.error({ err: error }, "swap recovery failed"))
    .then(() => reconcile(deps))
    .then((report) => logger.info(report, "reconciled builds, containers and routes"))
    .catch((error) => logger.error({ err: error }, "reconciliation failed"));

  return {
    async stop() {
      // Stop taking jobs first; the heartbeat keeps going while running jobs finish.
      const result = await workers.close({ graceMs: SHUTDOWN_GRACE_MS });
      // A rename sequence in flight (production rollback, restore swap) reaches its end; past the
      // bound the journal hands it to the next start.
      await drainCriticalSections(CRITICAL_SECTION_GRACE_MS);
      clearInterval(backupSync);
      clearInterval(reconcileSchedule);
      clearInterval(pollSchedule);
      clearInterval(domainSchedule);
      await routeKeeper.stop();
      await (await terminal)?.close();
      await (await ssh)?.close();
      await monitor.stop();
      deps.serverLogs.stopAll();
      await mailCatcher.stop();
      await heartbeat.stop();
      await clearWorkerHeartbeat(connection, { pid: process.pid, startedAt }).catch(() => false);
      await deps.queues.close().catch(() => undefined);
      await deps.redis.quit().catch(() => deps.redis.disconnect());
      await connection.quit().catch(() => connection.disconnect());
      return result;
    },
  };
}
