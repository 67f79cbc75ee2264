// Handlers of the backup jobs (queue "backups", concurrency 1: backups, restores, imports, restore
// tests and pruning never overlap, which the object sweep relies on).
import { join } from "node:path";
import { backupUploadsDir } from "@slipway/config";
import { DomainError } from "@slipway/domain";
import { findBackupPlace } from "@slipway/db";
import type { JobHandler } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { createBackup } from "./create-backup";
import { dailyBackup } from "./daily-backup";
import { importDatabase } from "./import-database";
import { pruneBackups } from "./prune-backups";
import { restoreBackup } from "./restore-backup";
import { verifyBackup, verifyLatestBackups } from "./verify-backup";

/** Uploaded imports wait in `<backup store root>/uploads/<name>` (the web writes them there). */
export function importUploadPath(deps: Pick<WorkerDeps, "config">, upload: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(upload))
    throw new DomainError("invalid_input", `invalid upload name ${JSON.stringify(upload)}`);
  return join(backupUploadsDir(deps.config.backups.root), upload);
}

export function backupJobHandlers(deps: WorkerDeps): {
  "backup.daily": JobHandler<"backup.daily">;
  "backup.create": JobHandler<"backup.create">;
  "backup.restore": JobHandler<"backup.restore">;
  "backup.import": JobHandler<"backup.import">;
  "backup.verify": JobHandler<"backup.verify">;
  "backup.verify-latest": JobHandler<"backup.verify-latest">;
  "backup.prune": JobHandler<"backup.prune">;
} {
  return {
    "backup.daily": async (payload, { signal }) => {
      const result = await dailyBackup({ deps, projectId: payload.projectId, signal });
      if ("skipped" in result) deps.logger.info({ projectId: payload.projectId, reason: result.skipped }, "daily backup skipped");
    },
    "backup.create": async (payload, { signal }) => {
      const row = await findBackupPlace(deps.prisma, payload.backupId);
      if (!row) throw new DomainError("not_found", `backup ${payload.backupId} does not exist`);
      await createBackup({ deps, backupId: payload.backupId, branchId: row.branchId, kind: row.kind, signal });
    },
    "backup.restore": async (payload, { signal }) => {
      await restoreBackup({ deps, ...payload, signal });
    },
    "backup.import": async (payload, { signal }) => {
      await importDatabase({
        deps,
        branchId: payload.branchId,
        file: importUploadPath(deps, payload.upload),
        confirmOverwrite: payload.confirmOverwrite,
        signal,
      });
    },
    "backup.verify": async (payload, { signal }) => {
      await verifyBackup({ deps, backupId: payload.backupId, signal });
    },
    "backup.verify-latest": async (_payload, { signal }) => {
      const results = await verifyLatestBackups({ deps, signal });
      deps.logger.info({ verified: results.length, failed: results.filter((r) => !r.ok).map((r) => r.backupId) }, "backup restore tests");
    },
    "backup.prune": async (payload) => {
      await pruneBackups({ deps, projectId: payload.projectId });
    },
  };
}
