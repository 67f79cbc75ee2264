import { backupJobHandlers } from "../backups/backup-jobs";
import { withBackupNotices } from "../backups/backup-notices";
import { backupTransferHandlers } from "../backups/transfer-jobs";
import type { JobHandlers } from "@slipway/queue";
import { deleteBranch } from "../branches/delete-branch";
import { mergeBranchJob } from "../branches/merge-branch";
import { cancelBuild } from "../builds/cancel-build";
import { reconcile } from "../builds/reconcile";
import { runBuild } from "../builds/run-build";
import type { WorkerDeps } from "../deps";
import { collectGarbage } from "../gc/collect-garbage";
import { deleteProject, purgeDeletedProjects, resumeDeletions } from "../projects/delete-project";
import { pollAllProjects, pollBranches } from "../projects/poll-branches";
import { setUpGitHubProject } from "../github/setup-project";
import { buildBranchHead } from "../branches/build-branch-head";
import { checkAllDomains, checkDomain } from "../domains/check-domain";
import { postCommitStatusJob } from "../github/commit-status";

/**
 * The worker's handler registry: `satisfies JobHandlers` makes a catalog job without a handler
 * (or a handler for an unknown job) a type error.
 */
export function createJobHandlers(deps: WorkerDeps) {
  return {
    "build.run": (payload, { signal }) => runBuild(deps, { buildId: payload.buildId, signal }),
    "build.cancel": (payload) => cancelBuild(deps, payload),
    "branch.poll": (payload) => pollBranches(deps, payload).then(() => undefined),
    "branch.poll-all": () => pollAllProjects(deps).then(() => undefined),
    "branch.build": (payload) => buildBranchHead(deps, payload).then(() => undefined),
    "branch.merge": (payload) => mergeBranchJob(deps, payload).then(() => undefined),
    "branch.delete": (payload) => deleteBranch(deps, payload).then(() => undefined),
    "project.delete": (payload) => deleteProject(deps, payload).then(() => undefined),
    "github.setup-project": (payload) => setUpGitHubProject(deps, payload),
    "github.commit-status": (payload, context) => postCommitStatusJob(deps, payload, context).then(() => undefined),
    ...withBackupNotices(deps, backupJobHandlers(deps)),
    ...backupTransferHandlers(deps),
    "domain.check": (payload) => checkDomain(deps, payload).then(() => undefined),
    "domain.check-all": () => checkAllDomains(deps).then(() => undefined),
    "maintenance.gc": async () => {
      const report = await collectGarbage(deps);
      await purgeDeletedProjects(deps);
      deps.logger.info({ collected: report.collected.length, failed: report.failed.length }, "garbage collection pass");
    },
    "maintenance.reconcile": async () => {
      // Every minute (scheduleReconcile).
      const report = await reconcile(deps, { scheduled: true });
      await resumeDeletions(deps);
      deps.logger.info(report, "reconciled builds, containers and routes");
    },
  } satisfies JobHandlers;
}
