import { rm } from "node:fs/promises";
import { findLiveBranchName, type AuthUser, type BackupBranch } from "@slipway/db";
import { DomainError, isUploadName, uploadKeys } from "@slipway/domain";
import { enqueue } from "@slipway/queue";
import { authorizeTool, type ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { hasPendingOperation } from "./backup-activity";
import { authorizeBranchBackups, requireDatabase, signedIn } from "./branch-backups";
import type { BackupDeps } from "./manual-backup";
import type { UploadDeps } from "./receive-upload";
import { readUploadState, storePath, type UploadState } from "./transfer-files";

type Found = { state: Exclude<UploadState, { state: "missing" }>; branch: BackupBranch };

/** An upload of this project, for a branch whose backups the viewer may use. */
async function authorizeUpload(
  deps: Pick<UploadDeps, "prisma" | "root">,
  options: { access: ProjectAccess; upload: string },
): Promise<Found> {
  const missing = new DomainError("not_found", "This upload does not exist (uploads are kept one day).");
  if (!isUploadName(options.upload)) throw missing;
  const state = await readUploadState(deps.root, options.upload);
  if (state.state === "missing" || state.meta.projectId !== options.access.project.id) throw missing;
  const branchName = await findLiveBranchName(deps.prisma, { projectId: options.access.project.id, branchId: state.meta.branchId });
  if (branchName === null) throw missing;
  const found = await authorizeBranchBackups({ prisma: deps.prisma, access: options.access, branchName });
  return { state, branch: found };
}

/** What the worker's validation said (the page polls this while it runs). */
export async function uploadStatus(deps: Pick<UploadDeps, "prisma" | "root">, options: { access: ProjectAccess; upload: string }) {
  const { state, branch } = await authorizeUpload(deps, options);
  return {
    upload: options.upload,
    branch: branch.name,
    fileName: state.meta.fileName,
    sizeBytes: state.meta.sizeBytes,
    state: state.state,
    ...(state.state === "valid"
      ? {
          format: state.check.format,
          odooVersion: state.check.odooVersion,
          database: state.check.database,
          filestoreFiles: state.check.filestoreFiles,
        }
      : {}),
    ...(state.state === "invalid" ? { message: state.check.message } : {}),
  };
}

/**
 * The import itself, only for a validated upload and only with the explicit confirmation that it
 * overwrites the branch (docs/product/production-updates-and-backups.md). The worker re-validates, loads beside the live database,
 * disables crons and mail servers (neutralizes staging), takes a safety backup, then swaps.
 */
export async function confirmImport(
  deps: BackupDeps & { root: string },
  options: { access: ProjectAccess; user: AuthUser | null; upload: string; confirmOverwrite: boolean },
): Promise<{ branch: string }> {
  const { state, branch } = await authorizeUpload(deps, options);
  const user = signedIn(options.user);
  if (state.state === "checking") throw new DomainError("invalid_state", "The file is still being checked; wait for the result.");
  if (state.state === "invalid") throw new DomainError("invalid_state", `This file was refused: ${state.check.message}`);
  if (options.confirmOverwrite !== true)
    throw new DomainError("invalid_input", `Importing overwrites the database and filestore of branch ${branch.name}: confirm it first.`);
  requireDatabase(branch, "import into");
  if (await hasPendingOperation({ queues: deps.queues, branchId: branch.id })) {
    throw new DomainError("conflict", `A restore or import of ${branch.name} is already queued or running; wait for it to finish.`);
  }
  const projectId = options.access.project.id;
  await recordAudit({
    prisma: deps.prisma,
    projectId,
    actorId: user.id,
    action: "backup.import",
    target: branch.name,
    details: {
      upload: options.upload,
      fileName: state.meta.fileName,
      sizeBytes: state.meta.sizeBytes,
      format: state.check.format,
      stage: branch.stage,
    },
  });
  await enqueue(deps.queues, "backup.import", { branchId: branch.id, upload: options.upload, confirmOverwrite: true });
  await deps.notify({ projectId, branchId: branch.id }).catch(() => undefined);
  return { branch: branch.name };
}

/** Drops an upload the user does not want to import (its files; the worker's sweep would after a day). */
export async function discardUpload(
  deps: Pick<UploadDeps, "prisma" | "root">,
  options: { access: ProjectAccess; user: AuthUser | null; upload: string },
): Promise<{ discarded: true }> {
  const { branch } = await authorizeUpload(deps, options);
  authorizeTool({ access: options.access, stage: branch.stage, tool: "backups" });
  const user = signedIn(options.user);
  const keys = uploadKeys(options.upload);
  for (const key of [keys.data, keys.meta, keys.check]) await rm(storePath(deps.root, key), { force: true });
  await recordAudit({
    prisma: deps.prisma,
    projectId: options.access.project.id,
    actorId: user.id,
    action: "backup.upload_discard",
    target: branch.name,
    details: { upload: options.upload },
  });
  return { discarded: true };
}
