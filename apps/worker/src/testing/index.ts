// The worker's entry for other workspaces' tests (`@slipway/worker/testing`): web tests that run a
// worker job in-process import it from here, never through a relative path into the worker's
// sources. Nothing in the app imports it.
export { createWorkerDeps } from "../create-deps";
export type { WorkerDeps } from "../deps";
export { backupTransferHandlers } from "../backups/transfer-jobs";
export { mergeBranchJob } from "../branches/merge-branch";
export { buildBranchHead } from "../branches/build-branch-head";
export { startTestDnsServer, type TestDnsServer } from "./dns-server";
export { pollBranches } from "../projects/poll-branches";
