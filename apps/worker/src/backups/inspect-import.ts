// Validation of an uploaded database (docs/product/production-updates-and-backups.md "Import"), BEFORE anything is touched:
// size limit, format (Odoo database-manager zip or pg_dump custom format), and for a zip: no path
// traversal (`..`, absolute paths, drive letters), no symlinks, no encrypted entries, no zip bomb
// (per-entry compression ratio, total declared size, then every entry actually inflated and checked
// against its declared size and CRC), manifest.json present and readable, Odoo major version equal
// to the project's, dump.sql present and recognisably a PostgreSQL plain dump.
import { open, stat } from "node:fs/promises";
import { DomainError } from "@slipway/domain";
import { openZipEntry, readZipDirectory, ZipFormatError, type ZipEntryInfo } from "./archive/zip-reader";
import { isSafeRelativePath } from "./engine/load-backup";
import { odooMajorOf } from "./engine/manifest";

export interface ImportLimits {
  /** Largest upload (bytes). */
  maxBytes: number;
  /** Largest total of the zip's declared uncompressed sizes. Default 10 × maxBytes. */
  maxUncompressedBytes?: number;
  /** Largest uncompressed/compressed ratio of one entry (entries above 1 MiB). Default 200. */
  maxRatio?: number;
}

export interface OdooDumpManifestJson {
  version?: string;
  major_version?: string;
  db_name?: string;
  modules?: Record<string, string>;
}

export type ImportPlan =
  | {
      format: "zip";
      path: string;
      sizeBytes: number;
      uncompressedBytes: number;
      manifest: OdooDumpManifestJson;
      odooVersion: string;
      dump: ZipEntryInfo;
      filestore: { entry: ZipEntryInfo; path: string }[];
      ignored: string[];
    }
  | { format: "dump"; path: string; sizeBytes: number };

const refuse = (message: string, details?: Record<string, unknown>) => new DomainError("invalid_input", message, { details });
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(n < 10 * 1024 ** 2 ? 1 : 0)} MiB`;

async function head(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function readEntry(path: string, entry: ZipEntryInfo, fileSize: number, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of await openZipEntry(path, entry, fileSize)) {
    length += (chunk as Buffer).length;
    if (length > max) break;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).subarray(0, max);
}

/** Checks the upload; the plan says what to load. Throws DomainError invalid_input with a clear message. */
export async function inspectImport(options: {
  path: string;
  projectOdooVersion: string;
  limits: ImportLimits;
  deep?: boolean;
}): Promise<ImportPlan> {
  const { path, limits } = options;
  const size = (await stat(path)).size;
  if (size === 0) throw refuse("The uploaded file is empty.");
  if (size > limits.maxBytes)
    throw refuse(`The file is ${mib(size)}, above the ${mib(limits.maxBytes)} import limit.`, { size, limit: limits.maxBytes });
  const magic = await head(path, 5);
  if (magic.toString("latin1") === "PGDMP") return { format: "dump", path, sizeBytes: size };
  if (magic.readUInt32LE(0) !== 0x04034b50) {
    throw refuse(
      "Unrecognised file: expected an Odoo database-manager backup (.zip with dump.sql) or a pg_dump custom-format dump (pg_dump -Fc).",
    );
  }

  let entries: ZipEntryInfo[];
  try {
    entries = await readZipDirectory(path, size);
  } catch (error) {
    if (error instanceof ZipFormatError) throw refuse(`The zip file cannot be read: ${error.message}.`);
    throw error;
  }
  const maxRatio = limits.maxRatio ?? 200;
  const maxTotal = limits.maxUncompressedBytes ?? 10 * limits.maxBytes;
  let total = 0;
  let dump: ZipEntryInfo | undefined;
  let manifestEntry: ZipEntryInfo | undefined;
  const filestore: { entry: ZipEntryInfo; path: string }[] = [];
  const ignored: string[] = [];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith("/") || /^[A-Za-z]:/.test(name) || name.includes("\\") || name.split("/").some((s) => s === "..")) {
      throw refuse(`The zip contains an unsafe path "${name}" (absolute or going up with ".."): refused.`, { entry: name });
    }
    if (entry.isSymlink) throw refuse(`The zip contains a symbolic link "${name}": refused.`, { entry: name });
    if (entry.encrypted) throw refuse(`The zip entry "${name}" is encrypted: refused.`, { entry: name });
    if (entry.isDirectory) continue;
    if (entry.method !== 0 && entry.method !== 8)
      throw refuse(`The zip entry "${name}" uses an unsupported compression method.`, { entry: name });
    if (entry.size > 1024 ** 2 && entry.size > maxRatio * Math.max(entry.compressedSize, 1)) {
      throw refuse(
        `The zip entry "${name}" expands ${Math.round(entry.size / Math.max(entry.compressedSize, 1))}× (limit ${maxRatio}×): this looks like a zip bomb, refused.`,
        { entry: name },
      );
    }
    total += entry.size;
    if (total > maxTotal)
      throw refuse(`The zip expands to more than ${mib(maxTotal)}: this looks like a zip bomb, refused.`, { limit: maxTotal });
    if (name === "dump.sql") dump = entry;
    else if (name === "manifest.json") manifestEntry = entry;
    else if (name.startsWith("filestore/") && isSafeRelativePath(name.slice("filestore/".length)))
      filestore.push({ entry, path: name.slice("filestore/".length) });
    else ignored.push(name);
  }
  if (!manifestEntry) throw refuse("The zip has no manifest.json: it is not an Odoo database-manager backup.");
  if (!dump)
    throw refuse(
      "The zip has no dump.sql: it is not an Odoo database-manager backup (choose the zip format with the filestore, or upload a pg_dump -Fc file).",
    );

  let manifest: OdooDumpManifestJson;
  try {
    if (manifestEntry.size > 16 * 1024 ** 2) throw new Error("too large");
    manifest = JSON.parse((await readEntry(path, manifestEntry, size, manifestEntry.size)).toString("utf8")) as OdooDumpManifestJson;
    if (typeof manifest !== "object" || manifest === null) throw new Error("not an object");
  } catch (error) {
    throw refuse(`The zip's manifest.json is not readable: ${(error as Error).message}.`);
  }
  const odooVersion = String(manifest.version ?? manifest.major_version ?? "");
  const [found, wanted] = [odooMajorOf(odooVersion), odooMajorOf(options.projectOdooVersion)];
  if (found === null) throw refuse("The zip's manifest.json does not say which Odoo version made the dump.");
  if (found !== wanted) {
    throw refuse(
      `This backup was made with Odoo ${odooVersion} but the project runs Odoo ${options.projectOdooVersion}: upgrade the database to ${options.projectOdooVersion} first (or import it into a project of its version).`,
      { found: odooVersion, wanted: options.projectOdooVersion },
    );
  }
  const start = (await readEntry(path, dump, size, 64 * 1024)).toString("utf8");
  if (!/PostgreSQL database dump/.test(start) && !/^\s*(--|SET |CREATE |BEGIN)/.test(start)) {
    throw refuse("The zip's dump.sql is not a PostgreSQL plain-text dump.");
  }
  if (options.deep ?? true) {
    // Every byte inflated and checked (size and CRC) without being written anywhere.
    for (const entry of [dump, ...filestore.map((f) => f.entry)]) {
      try {
        for await (const chunk of await openZipEntry(path, entry, size)) void chunk;
      } catch (error) {
        if (error instanceof ZipFormatError)
          throw refuse(`The zip is damaged or lies about its sizes: ${error.message}.`, { entry: entry.name });
        throw refuse(`The zip entry "${entry.name}" cannot be read: ${(error as Error).message}.`, { entry: entry.name });
      }
    }
  }
  return { format: "zip", path, sizeBytes: size, uncompressedBytes: total, manifest, odooVersion, dump, filestore, ignored };
}
