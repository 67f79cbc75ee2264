import { DomainError } from "@slipway/domain";
import type { JobHandlers } from "@slipway/queue";
import type { Logger } from "pino";

export interface JobDeps {
  logger: Logger;
}

/**
 * Placeholder for jobs whose logic belongs to later issues. It fails the job (kept in Redis as
 * failed, not retried) rather than pretending success.
 */
function notImplemented(job: string) {
  return async (): Promise<void> => {
    throw new DomainError("invalid_state", "not implemented yet", { details: { job } });
  };
}

/**
 * The worker's handler registry: `satisfies JobHandlers` makes a catalog job without a handler
 * (or a handler for an unknown job) a type error.
 */
export function createJobHandlers(_deps: JobDeps) {
  return {
    "build.run": notImplemented("build.run"),
    "build.cancel": notImplemented("build.cancel"),
    "branch.poll": notImplemented("branch.poll"),
    "backup.daily": notImplemented("backup.daily"),
    "maintenance.gc": notImplemented("maintenance.gc"),
    "maintenance.reconcile": notImplemented("maintenance.reconcile"),
  } satisfies JobHandlers;
}
