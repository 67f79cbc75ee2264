import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { exportKeys, uploadKeys, type UploadCheck, type UploadMeta } from "@slipway/domain";

// The web's view of the backup store's directory (SLIPWAY_BACKUP_DIR, shared with the worker on
// the same machine): it reads backup dumps and prepared zips, and writes import uploads.

/** Absolute path of a store key; keys come from our own naming functions or validated manifests. */
export function storePath(root: string, key: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split("/").some((p) => p === "." || p === ".."))
    throw new Error(`invalid backup store key ${JSON.stringify(key)}`);
  return join(root, ...key.split("/"));
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return null;
  }
}

export async function fileSize(path: string): Promise<number | null> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? info.size : null;
}

export type UploadState =
  | { state: "missing" }
  | { state: "checking"; meta: UploadMeta }
  | { state: "valid"; meta: UploadMeta; check: Extract<UploadCheck, { ok: true }> }
  | { state: "invalid"; meta: UploadMeta; check: Extract<UploadCheck, { ok: false }> };

/** Where an upload stands: sent (being checked by the worker), valid, or refused with the engine's message. */
export async function readUploadState(root: string, upload: string): Promise<UploadState> {
  const keys = uploadKeys(upload);
  const meta = await readJson<UploadMeta>(storePath(root, keys.meta));
  if (!meta) return { state: "missing" };
  const check = await readJson<UploadCheck>(storePath(root, keys.check));
  if (!check) return { state: "checking", meta };
  if (!check.ok) return { state: "invalid", meta, check };
  // A valid upload whose bytes are gone (imported, swept) cannot be imported again.
  if ((await fileSize(storePath(root, keys.data))) === null) return { state: "missing" };
  return { state: "valid", meta, check };
}

export type ZipState = { state: "ready"; path: string; size: number } | { state: "failed"; message: string } | { state: "absent" };

/** The prepared Odoo zip of a backup (written by the worker's backup.export job). */
export async function readZipState(root: string, backupId: string): Promise<ZipState> {
  const keys = exportKeys(backupId);
  const path = storePath(root, keys.zip);
  const size = await fileSize(path);
  if (size !== null) return { state: "ready", path, size };
  const failed = await readJson<{ message?: string }>(storePath(root, keys.error));
  if (failed) return { state: "failed", message: failed.message ?? "The zip could not be prepared." };
  return { state: "absent" };
}
