import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AuthUser } from "@slipway/db";
import { DomainError, uploadKeys, type UploadMeta } from "@slipway/domain";
import { enqueue } from "@slipway/queue";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { hasPendingOperation } from "./backup-activity";
import { authorizeBranchBackups, requireDatabase, signedIn } from "./branch-backups";
import type { BackupDeps } from "./manual-backup";
import { storePath } from "./transfer-files";

export type UploadDeps = Pick<BackupDeps, "prisma" | "queues"> & { root: string; maxBytes: number };

export type UploadResult = { ok: true; upload: string; sizeBytes: number } | { ok: false; status: 413; message: string };

const mib = (n: number) => `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MiB`;
const tooLarge = (max: number): UploadResult => ({ ok: false, status: 413, message: `The file is above the ${mib(max)} import limit.` });

class LimitExceeded extends Error {}

/**
 * Receives a database to import (the browser sends the file as the raw request body, with upload
 * progress) into `<store>/uploads/<name>`: streamed to disk chunk by chunk, never buffered, the
 * SLIPWAY_IMPORT_MAX_BYTES limit enforced while streaming (the declared length first, then the
 * bytes actually received). Authorization comes before a single byte is read. Then the worker's
 * backup.inspect-upload job runs the engine's validation; nothing else is touched until the user
 * confirms the import.
 */
export async function receiveUpload(
  deps: UploadDeps,
  options: { access: ProjectAccess; user: AuthUser | null; branchName: string; request: Request },
): Promise<UploadResult> {
  const { request } = options;
  const branch = await authorizeBranchBackups({ prisma: deps.prisma, access: options.access, branchName: options.branchName });
  const user = signedIn(options.user);
  requireDatabase(branch, "import into");
  if (await hasPendingOperation({ queues: deps.queues, branchId: branch.id })) {
    throw new DomainError("conflict", `A restore or import of ${branch.name} is already queued or running; wait for it to finish.`);
  }
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > deps.maxBytes) return tooLarge(deps.maxBytes);

  const upload = `u-${randomBytes(12).toString("hex")}`;
  const keys = uploadKeys(upload);
  const partial = storePath(deps.root, keys.partial);
  // Private whatever the umask: uploads are production data (issue 11 item 10).
  await mkdir(dirname(partial), { recursive: true, mode: 0o700 });
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > deps.maxBytes) callback(new LimitExceeded());
      else callback(null, chunk);
    },
  });
  try {
    const body = request.body ? Readable.fromWeb(request.body as import("node:stream/web").ReadableStream) : Readable.from([]);
    await pipeline(body, meter, createWriteStream(partial, { flags: "wx", mode: 0o600 }));
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof LimitExceeded) return tooLarge(deps.maxBytes);
    throw new DomainError("invalid_input", "The upload was interrupted; send the file again.");
  }
  if (size === 0) {
    await rm(partial, { force: true });
    throw new DomainError("invalid_input", "The uploaded file is empty.");
  }
  await rename(partial, storePath(deps.root, keys.data));
  const fileName = decodeName(request.headers.get("x-file-name"));
  const meta: UploadMeta = {
    projectId: options.access.project.id,
    branchId: branch.id,
    userId: user.id,
    fileName,
    sizeBytes: size,
    uploadedAt: new Date().toISOString(),
  };
  await writeFile(storePath(deps.root, keys.meta), JSON.stringify(meta), { mode: 0o600 });
  await recordAudit({
    prisma: deps.prisma,
    projectId: meta.projectId,
    actorId: user.id,
    action: "backup.upload",
    target: branch.name,
    details: { upload, fileName, sizeBytes: size },
  });
  await enqueue(deps.queues, "backup.inspect-upload", { branchId: branch.id, upload });
  return { ok: true, upload, sizeBytes: size };
}

/** The browser's file name, for display only (never a path). */
function decodeName(raw: string | null): string {
  let name = raw ?? "upload";
  try {
    name = decodeURIComponent(name);
  } catch {
    /* kept as sent */
  }
  return (
    [...name]
      .map((c) => (c.charCodeAt(0) < 32 || c === "/" || c === "\\" ? "_" : c))
      .join("")
      .slice(0, 200) || "upload"
  );
}
