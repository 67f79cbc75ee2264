import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DomainError } from "@slipway/domain";
import { assertStoreKey, SHA256_RE, type BackupStore, type StoredBlob } from "./backup-store";

const RESERVED = ["objects", "chunks", "tmp"];
/** Backups hold production data: folders and files are private to the platform's user, whatever the umask. */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
/** Objects up to this size are written in one go (see putObject). */
const SMALL_OBJECT = 4 << 20;

/**
 * The backup store in a local directory (default `<SLIPWAY_HOME>/backups`):
 *   <root>/<key>                 blobs (`backups/<id>/dump.pgc`, …)
 *   <root>/objects/<aa>/<sha256> content-addressed filestore files
 *   <root>/chunks/<aa>/<sha256>  chunks of deduplicated dumps (encoded: engine/chunked-blob)
 *   <root>/tmp/                  writes in progress (renamed into place when complete)
 * Folders are created 0700 and files 0600.
 */
export class LocalBackupStore implements BackupStore {
  readonly description: string;
  /** Folders known to exist (objects/<aa>, tmp): saves a mkdir per file. */
  private readonly dirs = new Set<string>();

  constructor(private readonly root: string) {
    this.description = `local directory ${root}`;
  }

  private blobPath(key: string): string {
    assertStoreKey(key);
    if (RESERVED.includes(key.split("/")[0] ?? "")) throw new Error(`reserved backup store key ${key}`);
    return join(this.root, ...key.split("/").filter(Boolean));
  }

  private objectPath(sha256: string, kind: "objects" | "chunks" = "objects"): string {
    if (!SHA256_RE.test(sha256)) throw new Error(`invalid object hash ${sha256}`);
    return join(this.root, kind, sha256.slice(0, 2), sha256);
  }

  /** Streams `body` to a temporary file while hashing it. */
  private async writeTemp(body: Readable): Promise<StoredBlob & { path: string }> {
    const dir = join(this.root, "tmp");
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    const path = join(dir, `${Date.now()}-${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(path, { mode: FILE_MODE }));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    return { path, size, sha256: hash.digest("hex") };
  }

  async put(key: string, body: Readable): Promise<StoredBlob> {
    const target = this.blobPath(key);
    const temp = await this.writeTemp(body);
    await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
    await rename(temp.path, target);
    return { size: temp.size, sha256: temp.sha256 };
  }

  async get(key: string): Promise<Readable> {
    const path = this.blobPath(key);
    if (!(await this.exists(key))) throw new DomainError("not_found", `backup file ${key} is missing from the ${this.description}`);
    return createReadStream(path);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== null;
  }

  async size(key: string): Promise<number | null> {
    try {
      const s = await stat(this.blobPath(key));
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const start = this.blobPath(prefix.replace(/\/$/, ""));
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) out.push(relative(this.root, full).split(sep).join("/"));
      }
    };
    await walk(start);
    return out.sort();
  }

  async delete(keyOrPrefix: string): Promise<void> {
    await rm(this.blobPath(keyOrPrefix.replace(/\/$/, "")), { recursive: true, force: true });
  }

  async putObject(body: Readable | AsyncIterable<Buffer>): Promise<StoredBlob & { created: boolean }> {
    // Filestores hold thousands of small files: a file up to SMALL_OBJECT bytes is gathered in
    // memory (it is there anyway, piece by piece) and written with a handful of synchronous calls
    // (page-cache writes, tens of microseconds) instead of a thread-pool round trip per call, which
    // queue behind the dump's compression. Larger files stream through one file handle.
    const dir = join(this.root, "tmp");
    if (!this.dirs.has(dir)) await mkdir(dir, { recursive: true, mode: DIR_MODE }).then(() => this.dirs.add(dir));
    const temp = join(dir, `${Date.now()}-${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    let size = 0;
    const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let rest = false;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      hash.update(next.value);
      size += next.value.length;
      head.push(next.value);
      if (size > SMALL_OBJECT) {
        rest = true;
        break;
      }
    }
    try {
      if (!rest) {
        writeFileSync(temp, head.length === 1 ? head[0]! : Buffer.concat(head), { mode: FILE_MODE });
      } else {
        const handle = await open(temp, "w", FILE_MODE);
        try {
          for (const piece of head) await handle.write(piece);
          for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
            hash.update(next.value);
            size += next.value.length;
            await handle.write(next.value);
          }
        } finally {
          await handle.close();
        }
      }
      const sha256 = hash.digest("hex");
      const target = this.objectPath(sha256);
      const parent = dirname(target);
      if (!this.dirs.has(parent)) await mkdir(parent, { recursive: true, mode: DIR_MODE }).then(() => this.dirs.add(parent));
      try {
        // link() fails when the object exists: no window where a reader sees a partial file.
        linkSync(temp, target);
        return { size, sha256, created: true };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        await this.touchObject(sha256);
        return { size, sha256, created: false };
      }
    } finally {
      try {
        unlinkSync(temp);
      } catch {
        // never written
      }
    }
  }

  async touchObject(sha256: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.objectPath(sha256), now, now);
      return true;
    } catch {
      return false;
    }
  }

  async putChunk(sha256: string, encoded: Buffer): Promise<{ created: boolean }> {
    const target = this.objectPath(sha256, "chunks");
    const dir = join(this.root, "tmp");
    if (!this.dirs.has(dir)) await mkdir(dir, { recursive: true, mode: DIR_MODE }).then(() => this.dirs.add(dir));
    const parent = dirname(target);
    if (!this.dirs.has(parent)) await mkdir(parent, { recursive: true, mode: DIR_MODE }).then(() => this.dirs.add(parent));
    const temp = join(dir, `${Date.now()}-${randomBytes(6).toString("hex")}`);
    await writeFile(temp, encoded, { mode: FILE_MODE });
    try {
      // link() fails when the chunk exists: readers never see a partial chunk.
      await link(temp, target);
      return { created: true };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      await this.touchChunk(sha256);
      return { created: false };
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async touchChunk(sha256: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.objectPath(sha256, "chunks"), now, now);
      return true;
    } catch {
      return false;
    }
  }

  async getChunk(sha256: string): Promise<Buffer> {
    try {
      return await readFile(this.objectPath(sha256, "chunks"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw new DomainError("not_found", `dump chunk ${sha256} is missing from the ${this.description}`);
    }
  }

  localChunkPath(sha256: string): string {
    return this.objectPath(sha256, "chunks");
  }

  listChunks(): AsyncIterable<{ sha256: string; size: number; usedAt: Date }> {
    return this.listContent("chunks");
  }

  async deleteChunk(sha256: string): Promise<void> {
    await rm(this.objectPath(sha256, "chunks"), { force: true });
  }

  async getObject(sha256: string): Promise<Readable> {
    const path = this.objectPath(sha256);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw new DomainError("not_found", `filestore object ${sha256} is missing from the ${this.description}`);
    }
    // Restores and downloads read thousands of small files one after the other: as putObject
    // writes them, a small one is read in one synchronous call (page cache, tens of microseconds)
    // instead of open/read/read/close round trips through the thread pool (issue 18: 2,000 files
    // of 105 KB went through writeTar at 100 MB/s that way). Larger files stream, 1 MiB at a time.
    if (size <= SMALL_OBJECT) {
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch {
        throw new DomainError("not_found", `filestore object ${sha256} is missing from the ${this.description}`);
      }
      return Readable.from(data.length > 0 ? [data] : [], { objectMode: false });
    }
    return createReadStream(path, { highWaterMark: 1 << 20 });
  }

  localObjectsDir(): string {
    const dir = join(this.root, "objects");
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    return dir;
  }

  listObjects(): AsyncIterable<{ sha256: string; size: number; usedAt: Date }> {
    return this.listContent("objects");
  }

  private async *listContent(kind: "objects" | "chunks"): AsyncIterable<{ sha256: string; size: number; usedAt: Date }> {
    const base = join(this.root, kind);
    let dirs: string[];
    try {
      dirs = (await readdir(base)).sort();
    } catch {
      return;
    }
    for (const d of dirs) {
      for (const name of (await readdir(join(base, d)).catch(() => [] as string[])).sort()) {
        if (!SHA256_RE.test(name)) continue;
        const s = await stat(join(base, d, name)).catch(() => null);
        if (s) yield { sha256: name, size: s.size, usedAt: s.mtime };
      }
    }
  }

  async deleteObject(sha256: string): Promise<void> {
    await rm(this.objectPath(sha256), { force: true });
  }
}
