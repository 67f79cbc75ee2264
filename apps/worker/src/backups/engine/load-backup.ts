import { createInterface } from "node:readline";
import { DomainError } from "@slipway/domain";
import { writeTar, type TarFileInput } from "../archive/tar";
import type { BackupStore } from "../store/backup-store";
import { SHA256_RE } from "../store/backup-store";
import { openDump } from "./dump-file";
import { copyObjectsIntoFilestore, writeFilestore } from "./filestore-volume";
import type { BackupManifest } from "./manifest";
import { createDatabase, pgRestoreCustom, type ToolsContext } from "../../postgres";

export interface FilestoreIndexEntry {
  /** Path relative to the database's filestore folder (`ab/ab12…`). */
  p: string;
  /** sha256 of the content: the object's name in the store. */
  h: string;
  s: number;
}

/** Filestore paths we accept anywhere (index lines, ZIP entries): relative, plain segments. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.length > 1024 || path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment.length > 0 && segment !== "." && segment !== "..");
}

/** The backup's filestore index, line by line (streamed from the store). */
export async function* readFilestoreIndex(store: BackupStore, manifest: BackupManifest): AsyncGenerator<FilestoreIndexEntry> {
  const lines = createInterface({ input: await store.get(manifest.filestore.indexKey), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as FilestoreIndexEntry;
    if (!isSafeRelativePath(entry.p) || !SHA256_RE.test(entry.h) || !Number.isSafeInteger(entry.s)) {
      throw new DomainError("invalid_state", `backup ${manifest.backupId} has a damaged filestore index line: ${line.slice(0, 200)}`);
    }
    yield entry;
  }
}

/** Tar entries of the backup's filestore, each read from its content-addressed object. */
export async function* filestoreTarInputs(store: BackupStore, manifest: BackupManifest): AsyncGenerator<TarFileInput> {
  for await (const e of readFilestoreIndex(store, manifest)) yield { path: e.p, size: e.s, mode: 0o644, open: () => store.getObject(e.h) };
}

/**
 * Loads a stored backup into a NEW database (created here, with the backup's collation) and, when
 * `filestore` is given, its files into a new folder of that volume. Nothing existing is touched.
 */
export async function loadBackup(options: {
  store: BackupStore;
  ctx: ToolsContext;
  manifest: BackupManifest;
  database: string;
  filestore?: { volume: string; dir: string };
}): Promise<void> {
  const { store, ctx, manifest } = options;
  const loadDatabase = async () => {
    await createDatabase({ pg: ctx.pg, name: options.database, collate: manifest.postgres.collate, ctype: manifest.postgres.ctype });
    await pgRestoreCustom({ ctx, database: options.database, input: await openDump(store, manifest), strict: true });
  };
  const loadFilestore = async (target: { volume: string; dir: string }) => {
    // A store on this disk: the helper copies the objects itself (no tar stream through the worker).
    const objectsDir = store.localObjectsDir?.();
    if (objectsDir) {
      return copyObjectsIntoFilestore({
        ctx,
        ...target,
        objectsDir,
        files: (async function* () {
          for await (const e of readFilestoreIndex(store, manifest)) yield { path: e.p, sha256: e.h, size: e.s };
        })(),
      });
    }
    return writeFilestore({ ctx, ...target, tar: writeTar(filestoreTarInputs(store, manifest)) });
  };
  // Database and filestore are independent: loaded at the same time from the start, both settled
  // before returning (the caller removes whatever a failure left).
  const results = await Promise.allSettled([loadDatabase(), options.filestore ? loadFilestore(options.filestore) : Promise.resolve()]);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}
