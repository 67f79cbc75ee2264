// The worker's half of the Backups tab's transfers (the web never runs Docker):
// - backup.inspect-upload: the engine's validation (inspectImport) of an upload the web wrote to
//   `<store>/uploads/<name>`, its verdict written beside it for the web to show before the user
//   confirms the import;
// - backup.export: the Odoo database-manager zip of a backup (dump.sql needs pg_restore in a
//   container) written into the store as `exports/<backupId>.zip`, which the web then streams.
// Both sweep their folder: uploads and zips live TRANSFER_TTL_MS (a day), the store stays lean.
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backupUploadsDir } from "@slipway/config";
import { DomainError, exportKeys, isDomainError, TRANSFER_TTL_MS, uploadKeys, type UploadCheck, type UploadMeta } from "@slipway/domain";
import { findBackupPlace, findBranchForBackups } from "@slipway/db";
import { publishProjectNotice, type JobHandler } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { downloadBackup } from "./download-backup";
import { backupStoreOf } from "./engine/context";
import { inspectImport } from "./inspect-import";

const pathOf = (deps: WorkerDeps, key: string) => join(deps.config.backups.root, ...key.split("/"));

/** Written atomically: the web never reads half a verdict. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, JSON.stringify(value));
  await rename(temp, path);
}

/** Deletes files of `dir` older than the transfer lifetime (abandoned uploads, downloaded zips). */
export async function sweepTransfers(options: { dir: string; now?: number; ttlMs?: number }): Promise<number> {
  const now = options.now ?? Date.now();
  let removed = 0;
  for (const name of await readdir(options.dir).catch(() => [] as string[])) {
    const path = join(options.dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > (options.ttlMs ?? TRANSFER_TTL_MS)) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}

export async function inspectUpload(options: { deps: WorkerDeps; branchId: string; upload: string }): Promise<UploadCheck> {
  const { deps } = options;
  const keys = uploadKeys(options.upload);
  const meta = JSON.parse(await readFile(pathOf(deps, keys.meta), "utf8")) as UploadMeta;
  if (meta.branchId !== options.branchId)
    throw new DomainError("invalid_input", `upload ${options.upload} was not sent for branch ${options.branchId}`);
  const branch = await findBranchForBackups(deps.prisma, options.branchId);
  if (!branch || branch.projectId !== meta.projectId) throw new DomainError("not_found", `branch ${options.branchId} does not exist`);
  let check: UploadCheck;
  try {
    const plan = await inspectImport({
      path: pathOf(deps, keys.data),
      projectOdooVersion: branch.project.odooVersion,
      limits: { maxBytes: deps.config.backups.importMaxBytes },
    });
    check =
      plan.format === "zip"
        ? {
            ok: true,
            checkedAt: new Date().toISOString(),
            format: "zip",
            sizeBytes: plan.sizeBytes,
            odooVersion: plan.odooVersion,
            database: plan.manifest.db_name ?? null,
            filestoreFiles: plan.filestore.length,
          }
        : // A custom dump's Odoo version is read from its data during the import itself.
          {
            ok: true,
            checkedAt: new Date().toISOString(),
            format: "dump",
            sizeBytes: plan.sizeBytes,
            odooVersion: null,
            database: null,
            filestoreFiles: 0,
          };
  } catch (error) {
    if (!isDomainError(error, "invalid_input")) throw error;
    check = { ok: false, checkedAt: new Date().toISOString(), message: error.message };
  }
  await writeJson(pathOf(deps, keys.check), check);
  // A refused upload is of no further use: its bytes go at once (the verdict stays for the page).
  if (!check.ok) await rm(pathOf(deps, keys.data), { force: true });
  return check;
}

export async function exportBackupZip(options: {
  deps: WorkerDeps;
  backupId: string;
  signal?: AbortSignal;
}): Promise<{ sizeBytes: number }> {
  const { deps } = options;
  const keys = exportKeys(options.backupId);
  await rm(pathOf(deps, keys.error), { force: true });
  try {
    const download = await downloadBackup({ deps, backupId: options.backupId, format: "zip", signal: options.signal });
    // put() writes a temporary file and renames it: the web sees the zip only once complete.
    const stored = await backupStoreOf({ deps }).put(keys.zip, download.stream);
    return { sizeBytes: stored.size };
  } catch (error) {
    await writeJson(pathOf(deps, keys.error), {
      message: (error as Error).message.slice(0, 2000),
      failedAt: new Date().toISOString(),
    }).catch(() => undefined);
    throw error;
  }
}

async function notify(deps: WorkerDeps, where: { projectId: string; branchId: string }): Promise<void> {
  await publishProjectNotice(deps.redis, { ...where, kind: "branch" }).catch(() => undefined);
}

export function backupTransferHandlers(deps: WorkerDeps): {
  "backup.inspect-upload": JobHandler<"backup.inspect-upload">;
  "backup.export": JobHandler<"backup.export">;
} {
  return {
    "backup.inspect-upload": async (payload) => {
      try {
        const check = await inspectUpload({ deps, ...payload });
        deps.logger.info({ upload: payload.upload, ok: check.ok }, "import upload checked");
        const branch = await findBranchForBackups(deps.prisma, payload.branchId);
        if (branch) await notify(deps, { projectId: branch.projectId, branchId: payload.branchId });
      } finally {
        await sweepTransfers({ dir: backupUploadsDir(deps.config.backups.root) });
      }
    },
    "backup.export": async (payload, { signal }) => {
      const place = await findBackupPlace(deps.prisma, payload.backupId);
      const row = place && { projectId: place.projectId, branchId: place.branchId };
      try {
        const { sizeBytes } = await exportBackupZip({ deps, backupId: payload.backupId, signal });
        deps.logger.info({ backupId: payload.backupId, sizeBytes }, "backup zip prepared for download");
      } finally {
        if (row) await notify(deps, row);
        await sweepTransfers({ dir: join(deps.config.backups.root, "exports") });
      }
    },
  };
}
