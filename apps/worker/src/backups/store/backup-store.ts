import type { Readable } from "node:stream";

/** What a write produced: the size and sha256 of the bytes actually stored. */
export interface StoredBlob {
  size: number;
  sha256: string;
}

/**
 * Where backups live: named blobs (`backups/<id>/dump.pgc`, `…/manifest.json`, …) and
 * content-addressed objects (filestore files, stored once across every backup) and chunks (the
 * pieces of deduplicated dumps, stored once across every backup). Everything is a
 * stream; nothing is read into memory. The local directory store is the only implementation
 * today; an S3-compatible one needs exactly these operations (keys are `/`-separated, no `..`).
 */
export interface BackupStore {
  /** A human-readable description (directory, bucket) for logs. */
  readonly description: string;
  /** Writes a blob atomically (readers never see a partial one), replacing any previous one. */
  put(key: string, body: Readable): Promise<StoredBlob>;
  /** Opens a blob for reading; DomainError not_found when it does not exist. */
  get(key: string): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Size in bytes, or null when missing. */
  size(key: string): Promise<number | null>;
  /** Keys starting with `prefix` (blobs only, not objects). */
  list(prefix: string): Promise<string[]>;
  /** Deletes a blob or every blob under a `prefix/`; a missing one is fine. */
  delete(keyOrPrefix: string): Promise<void>;

  /**
   * Stores content under its sha256 (`objects/<sha256>`). When an object with that hash already
   * exists the new bytes are dropped (`created` false): retained backups share unchanged files.
   */
  putObject(body: Readable | AsyncIterable<Buffer>): Promise<StoredBlob & { created: boolean }>;
  /** Marks an existing object as used now (so a concurrent sweep keeps it); false when missing. */
  touchObject(sha256: string): Promise<boolean>;
  getObject(sha256: string): Promise<Readable>;
  /**
   * For a store on this machine's disk: the folder of its objects (`<aa>/<sha256>`, created if
   * missing), which a restore's helper container mounts read-only to copy files into a filestore
   * without streaming them through the worker. Other stores leave it out (getObject).
   */
  localObjectsDir?(): string;
  /** Every object with its size and last use, for the sweep after pruning. */
  listObjects(): AsyncIterable<{ sha256: string; size: number; usedAt: Date }>;
  deleteObject(sha256: string): Promise<void>;

  /**
   * Chunks of deduplicated blobs (`chunks/<sha256>`, the hash of the chunk's plain bytes; what is
   * stored is the encoded form made by engine/chunked-blob). `putChunk` keeps an existing chunk
   * (`created` false) and marks it used now, like `touchChunk` (false when missing).
   */
  putChunk(sha256: string, encoded: Buffer): Promise<{ created: boolean }>;
  touchChunk(sha256: string): Promise<boolean>;
  /** The encoded chunk; DomainError not_found when missing. */
  getChunk(sha256: string): Promise<Buffer>;
  /**
   * Where the encoded chunk's file would be, for a store on this machine's disk (it may not exist):
   * restores then read chunks on the codec threads, not through the main thread. Other stores
   * leave it out (getChunk).
   */
  localChunkPath?(sha256: string): string;
  /** Every chunk with its stored size and last use, for the sweep after pruning. */
  listChunks(): AsyncIterable<{ sha256: string; size: number; usedAt: Date }>;
  deleteChunk(sha256: string): Promise<void>;
}

export function assertStoreKey(key: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/?$/.test(key) || key.split("/").some((p) => p === "." || p === "..")) {
    throw new Error(`invalid backup store key ${JSON.stringify(key)}`);
  }
}

export const SHA256_RE = /^[0-9a-f]{64}$/;
