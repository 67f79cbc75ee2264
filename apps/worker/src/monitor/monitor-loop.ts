import { createHash } from "node:crypto";
import { METRIC_SAMPLE_INTERVAL_MS } from "@slipway/domain";
import type { WorkerDeps } from "../deps";
import { followRunningServers } from "./follow-running-servers";
import { RequestLogReader } from "./request-log-reader";
import { sampleMetrics, type MonitorState } from "./sample-metrics";

/**
 * Samples running builds every `intervalMs` (30 s), starting now, and keeps their odoo.log followed. With several worker processes
 * one tick per period runs (a Redis lock that expires just before the next period); a tick still
 * running when the next is due is not doubled.
 */
export function startMonitorLoop(options: { deps: WorkerDeps; intervalMs?: number }): { stop(): Promise<void> } {
  const { deps } = options;
  const intervalMs = options.intervalMs ?? METRIC_SAMPLE_INTERVAL_MS;
  const state: MonitorState = { reader: new RequestLogReader(), storage: new Map() };
  // Per control plane (its database), so two platforms sharing a Redis do not starve each other.
  const lockKey = `slipway:monitor:tick:${createHash("sha256").update(deps.config.databaseUrl).digest("hex").slice(0, 16)}`;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      // Every process keeps following its own servers' logs; the sampling itself is once per period.
      await followRunningServers(deps);
      const won = await deps.redis.set(lockKey, String(process.pid), "PX", Math.max(1_000, intervalMs - 1_000), "NX");
      if (won !== "OK") return;
      const report = await sampleMetrics({ deps, state });
      deps.logger.debug(report, "monitor: sampled running builds");
    })()
      .catch((error: unknown) => deps.logger.warn({ err: error }, "monitor: tick failed"))
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
