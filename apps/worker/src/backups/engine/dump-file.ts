import type { Readable } from "node:stream";
import type { BackupStore } from "../store/backup-store";
import { readChunked } from "./chunked-blob";
import type { BackupManifest } from "./manifest";

/** The backup's custom-format dump as a stream: reassembled from its chunks, or the stored file of an older backup. */
export async function openDump(store: BackupStore, manifest: Pick<BackupManifest, "dump">): Promise<Readable> {
  return manifest.dump.chunks ? readChunked(store, manifest.dump.chunks.key) : store.get(manifest.dump.key);
}
