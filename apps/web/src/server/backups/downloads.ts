import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import type { AuthUser, ProjectBackup } from "@slipway/db";
import { DomainError, exportKeys } from "@slipway/domain";
import { enqueue } from "@slipway/queue";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { signedIn } from "./branch-backups";
import type { BackupDeps } from "./manual-backup";
import { authorizeBackup } from "./request-restore";
import { readChunkedDump } from "./chunked-dump";
import { fileSize, readZipState, storePath } from "./transfer-files";

// Downloads (docs/product/production-updates-and-backups.md), streamed from the backup store, never held in memory:
// - "dump": the stored pg_dump custom-format file, straight from disk (no Docker needed),
//   reassembled from its chunks for deduplicated backups (ADR 0008);
// - "zip": Odoo's database-manager format; its dump.sql is made by pg_restore in a container, so
//   the worker prepares it (backup.export → exports/<id>.zip, kept a day) and the web streams it.

export type DownloadDeps = Pick<BackupDeps, "prisma" | "queues"> & { root: string };

async function downloadable(deps: DownloadDeps, options: { access: ProjectAccess; backupId: string }): Promise<ProjectBackup> {
  const backup = await authorizeBackup(deps, options);
  if (backup.state !== "done")
    throw new DomainError("invalid_state", `This backup is ${backup.state}: only a completed backup can be downloaded.`);
  return backup;
}

function fileBase(backup: ProjectBackup): string {
  const stamp = backup.createdAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${(backup.database ?? backup.branch.name).replace(/[^A-Za-z0-9._-]/g, "_")}_${stamp}`;
}

function streamFile(path: string, size: number, fileName: string, contentType: string): Response {
  return streamBody(createReadStream(path, { highWaterMark: 1 << 20 }), size, fileName, contentType);
}

function streamBody(stream: Readable, size: number, fileName: string, contentType: string): Response {
  const body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      "content-type": contentType,
      "content-length": String(size),
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

/** Where the zip of a backup stands; asks the worker to make it when there is none. */
export async function prepareZip(
  deps: DownloadDeps,
  options: { access: ProjectAccess; user: AuthUser | null; backupId: string },
): Promise<{ state: "ready" | "preparing" | "failed"; message?: string }> {
  const backup = await downloadable(deps, options);
  signedIn(options.user);
  const zip = await readZipState(deps.root, backup.id);
  if (zip.state === "ready") return { state: "ready" };
  if (zip.state === "failed") {
    // Shown once; asking again starts a new attempt.
    await rm(storePath(deps.root, exportKeys(backup.id).error), { force: true });
    return { state: "failed", message: zip.message };
  }
  await enqueue(deps.queues, "backup.export", { backupId: backup.id });
  return { state: "preparing" };
}

/** The file itself: the dump at once, the zip once prepared (409 before). Audited: production data leaves. */
export async function openDownload(
  deps: DownloadDeps,
  options: { access: ProjectAccess; user: AuthUser | null; backupId: string; format: "zip" | "dump" },
): Promise<Response> {
  const backup = await downloadable(deps, options);
  const user = signedIn(options.user);
  let response: Response;
  if (options.format === "dump") {
    if (!backup.dump) throw new DomainError("invalid_state", "This backup has no stored dump.");
    if (backup.dump.chunksKey) {
      // A deduplicated dump (ADR 0008): reassembled from its chunks as it streams, each one checked.
      if ((await fileSize(storePath(deps.root, backup.dump.chunksKey))) === null)
        throw new DomainError("not_found", "This backup's dump is missing from the backup store.");
      response = streamBody(
        readChunkedDump(deps.root, backup.dump.chunksKey),
        backup.dump.size,
        `${fileBase(backup)}.dump`,
        "application/octet-stream",
      );
    } else {
      const path = storePath(deps.root, backup.dump.key);
      const size = await fileSize(path);
      if (size === null) throw new DomainError("not_found", "This backup's dump is missing from the backup store.");
      response = streamFile(path, size, `${fileBase(backup)}.dump`, "application/octet-stream");
    }
  } else {
    const zip = await readZipState(deps.root, backup.id);
    if (zip.state !== "ready")
      throw new DomainError("invalid_state", "The zip of this backup is not prepared yet: ask for it first, it is ready in a moment.");
    response = streamFile(zip.path, zip.size, `${fileBase(backup)}.zip`, "application/zip");
  }
  await recordAudit({
    prisma: deps.prisma,
    projectId: options.access.project.id,
    actorId: user.id,
    action: "backup.download",
    target: backup.branch.name,
    details: { backupId: backup.id, format: options.format },
  });
  return response;
}
