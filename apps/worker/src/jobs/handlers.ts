import { DomainError } from "@slipway/domain";
import { backupJobHandlers } from "../backups/backup-jobs";
import type { JobHandlers } from "@slipway/queue";
import { cancelBuild } from "../builds/cancel-build";
import { reconcile } from "../builds/reconcile";
import { runBuild } from "../builds/run-build";
import type { WorkerDeps } from "../deps";
import { pollBranches } from "../projects/poll-branches";

/**
 * Placeholder for jobs whose logic belongs to later issues (backups, garbage collection). It fails
 * the job (kept in Redis as failed, not retried) rather than pretending success.
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
export function createJobHandlers(deps: WorkerDeps) {
  return {
    "build.run": (payload, { signal }) => runBuild(deps, { buildId: payload.buildId, signal }),
    "build.cancel": (payload) => cancelBuild(deps, payload),
    "branch.poll": (payload) => pollBranches(deps, payload).then(() => undefined),
    ...backupJobHandlers(deps),
    "maintenance.gc": notImplemented("maintenance.gc"),
    "maintenance.reconcile": async () => {
      const report = await reconcile(deps);
      deps.logger.info(report, "reconciled builds, containers and routes");
    },
  } satisfies JobHandlers;
}
