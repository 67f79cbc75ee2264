// Download of a backup (docs/product/production-updates-and-backups.md) as a stream, never in memory:
// - "zip": Odoo's database-manager format, restorable by a stock Odoo (`dump.sql` plain SQL made by
//   pg_restore from the stored custom dump, `filestore/…`, `manifest.json` as dump_db_manifest
//   writes it; dump.sql first, like Odoo's zip_dir ordering);
// - "dump": the stored pg_dump custom-format file itself.
import { PassThrough, Readable } from "node:stream";
import { DomainError } from "@slipway/domain";
import { writeZip, type ZipEntryInput } from "./archive/zip-writer";
import { backupStoreOf, toolsContextOf, type BackupDeps } from "./engine/context";
import { openDump } from "./engine/dump-file";
import { readFilestoreIndex } from "./engine/load-backup";
import { odooDumpManifest } from "./engine/manifest";
import { pgCustomToPlain } from "../postgres";
import { loadableBackup } from "./restore-backup";

export type DownloadFormat = "zip" | "dump";

export interface BackupDownload {
  stream: Readable;
  fileName: string;
  contentType: string;
  /** Known for "dump" only (a zip's size is known once written). */
  sizeBytes: number | null;
}

export async function downloadBackup(
  options: BackupDeps & { backupId: string; format: DownloadFormat; signal?: AbortSignal },
): Promise<BackupDownload> {
  const store = backupStoreOf(options);
  const { manifest } = await loadableBackup(options);
  const stamp = manifest.createdAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const base = `${manifest.database}_${stamp}`;
  if (options.format === "dump") {
    return {
      stream: await openDump(store, manifest),
      fileName: `${base}.dump`,
      contentType: "application/octet-stream",
      sizeBytes: manifest.dump.size,
    };
  }
  if (options.format !== "zip") throw new DomainError("invalid_input", `unknown download format ${String(options.format)}`);
  const ctx = await toolsContextOf(options.deps, { download: manifest.backupId }, options.signal);

  async function* entries(): AsyncGenerator<ZipEntryInput> {
    yield {
      name: "dump.sql",
      method: "deflate",
      open: async () => {
        // The conversion runs while the zip reads `out`. `out` ends only once pg_restore exited 0, so
        // a failure mid-way fails the download instead of truncating dump.sql silently.
        const out = new PassThrough({ highWaterMark: 1 << 20 });
        const inner = new PassThrough({ highWaterMark: 1 << 20 });
        const drained = new Promise((resolve) => inner.once("end", resolve));
        inner.pipe(out, { end: false });
        const input = await openDump(store, manifest);
        pgCustomToPlain({ ctx, input, out: inner }).then(
          async () => {
            await drained;
            out.end();
          },
          (error: unknown) => out.destroy(error as Error),
        );
        return out;
      },
    };
    const text = Buffer.from(JSON.stringify(odooDumpManifest(manifest), null, 4));
    yield { name: "manifest.json", method: "deflate", size: text.length, open: async () => Readable.from([text]) };
    for await (const file of readFilestoreIndex(store, manifest)) {
      // Filestore files are mostly already compressed (images, PDFs): stored as they are.
      yield { name: `filestore/${file.p}`, method: "store", size: file.s, open: () => store.getObject(file.h) };
    }
  }
  return { stream: writeZip(entries()), fileName: `${base}.zip`, contentType: "application/zip", sizeBytes: null };
}
