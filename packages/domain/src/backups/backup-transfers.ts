// Files the web and the worker exchange through the backup store's directory (same machine): import
// uploads written by the web and checked by the worker, and download zips prepared by the worker
// and streamed by the web. Names only (no I/O); keys are relative to the store root.

/** Uploads are named by the web: `u-` + 24 hex digits (no user input ever reaches a path). */
export const UPLOAD_NAME_RE = /^u-[0-9a-f]{24}$/;

export function isUploadName(value: string): boolean {
  return UPLOAD_NAME_RE.test(value);
}

/** An upload's files: the bytes, the file being written, who sent it for which branch, the verdict. */
export function uploadKeys(upload: string): { data: string; partial: string; meta: string; check: string } {
  if (!isUploadName(upload)) throw new Error(`invalid upload name ${JSON.stringify(upload)}`);
  const data = `uploads/${upload}`;
  return { data, partial: `${data}.part`, meta: `${data}.meta.json`, check: `${data}.check.json` };
}

/** Written by the web once the upload is complete. */
export interface UploadMeta {
  projectId: string;
  branchId: string;
  userId: string | null;
  /** The browser's file name (display only). */
  fileName: string;
  sizeBytes: number;
  uploadedAt: string;
}

/** Written by the worker's `backup.inspect-upload` job: the engine's validation verdict. */
export type UploadCheck =
  | {
      ok: true;
      checkedAt: string;
      format: "zip" | "dump";
      sizeBytes: number;
      odooVersion: string | null;
      database: string | null;
      filestoreFiles: number;
    }
  | { ok: false; checkedAt: string; message: string };

/** The Odoo database-manager zip of a backup, prepared by `backup.export`; `error` when it failed. */
export function exportKeys(backupId: string): { zip: string; error: string } {
  if (!/^[0-9a-f-]{36}$/.test(backupId)) throw new Error(`invalid backup id ${JSON.stringify(backupId)}`);
  return { zip: `exports/${backupId}.zip`, error: `exports/${backupId}.error.json` };
}

/** Uploads and prepared zips older than this are deleted (by the worker's transfer jobs). */
export const TRANSFER_TTL_MS = 24 * 3600_000;
