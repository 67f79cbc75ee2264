// The filestore part of a backup: each file once in the store (content-addressed), the backup keeps
// an index (JSON lines). Odoo names filestore files by the sha1 of their content: a file of the
// previous backup with the same name and size is the same file, so it is listed again without
// being read (an incremental backup reads only new files).
import { PassThrough } from "node:stream";
import { findLatestStoredManifest } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import type { WorkerDeps } from "../../deps";
import type { BackupStore } from "../store/backup-store";
import { listFilestore, readFilestore } from "./filestore-volume";
import { readFilestoreIndex, type FilestoreIndexEntry } from "./load-backup";
import type { BackupManifest } from "./manifest";
import type { ToolsContext } from "../../postgres";

/** `ab/ab12…` (40 hex): Odoo's content-named filestore files. */
const ODOO_CONTENT_NAME = /^[0-9a-f]{2}\/[0-9a-f]{40}$/;

/** The filestore index of the branch's latest completed backup in the store (path → entry). */
async function previousIndex(options: {
  deps: WorkerDeps;
  store: BackupStore;
  branchId: string;
  exclude: string;
}): Promise<Map<string, FilestoreIndexEntry>> {
  const manifest = await findLatestStoredManifest(options.deps.prisma, { branchId: options.branchId, excludeId: options.exclude });
  const map = new Map<string, FilestoreIndexEntry>();
  if (!manifest) return map;
  try {
    for await (const entry of readFilestoreIndex(options.store, manifest as BackupManifest)) map.set(entry.p, entry);
  } catch {
    map.clear(); // an unreadable previous index only means reading every file
  }
  return map;
}

export async function backupFilestore(options: {
  deps: WorkerDeps;
  store: BackupStore;
  ctx: ToolsContext;
  branchId: string;
  volume: string;
  database: string;
  location: string;
  backupId: string;
}): Promise<{ indexKey: string; indexSha256: string; counts: { files: number; bytes: number; newFiles: number; newBytes: number } }> {
  const { store, ctx } = options;
  const indexKey = `${options.location}/filestore.jsonl`;
  const index = new PassThrough();
  const indexStored = store.put(indexKey, index);
  const counts = { files: 0, bytes: 0, newFiles: 0, newBytes: 0 };
  const write = async (path: string, sha256: string, size: number) => {
    counts.files++;
    counts.bytes += size;
    if (!index.write(JSON.stringify({ p: path, h: sha256, s: size }) + "\n")) await new Promise((r) => index.once("drain", r));
  };
  try {
    const previous = await previousIndex({ ...options, exclude: options.backupId });
    let toRead: string[] | undefined;
    if (previous.size > 0) {
      toRead = [];
      for (const [path, size] of await listFilestore({ ctx, volume: options.volume, dir: options.database })) {
        const known = previous.get(path);
        if (known && known.s === size && ODOO_CONTENT_NAME.test(path) && (await store.touchObject(known.h)))
          await write(path, known.h, size);
        else toRead.push(path);
      }
    }
    await readFilestore({
      ctx,
      volume: options.volume,
      dir: options.database,
      only: toRead,
      onFile: async (entry, body) => {
        const object = await store.putObject(body);
        if (object.size !== entry.size) throw new DomainError("upstream_failed", `filestore file ${entry.path} changed while it was read`);
        if (object.created) {
          counts.newFiles++;
          counts.newBytes += object.size;
        }
        await write(entry.path, object.sha256, object.size);
      },
    });
  } catch (e) {
    index.destroy();
    await indexStored.catch(() => undefined);
    throw e;
  }
  index.end();
  const blob = await indexStored;
  return { indexKey, indexSha256: blob.sha256, counts };
}
