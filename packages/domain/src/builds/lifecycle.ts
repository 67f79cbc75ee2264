import type { Stage } from "./steps";

/**
 * Odoo HTTP workers a build's server runs with, per stage: production runs prefork (HTTP workers,
 * a cron worker, websocket on the gevent port); staging and development run threaded (0 workers).
 */
export function serverWorkers(stage: Stage): number {
  return stage === "production" ? 2 : 0;
}
