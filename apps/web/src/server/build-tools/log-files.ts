import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { DomainError } from "@slipway/domain";
import { buildLogsDir } from "../builds/read-build-logs";

export interface LogFileInfo {
  name: string;
  sizeBytes: number;
  modifiedAt: string;
}

const LOG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.log$/;
// Pipeline order (docs/product/containers-and-isolation.md), then any other log alphabetically.
const ORDER = ["odoo.log", "install.log", "pip.log", "update.log", "neutralize.log", "import.log"];

/** The build's log files: regular `*.log` files directly in its log folder (links are skipped). */
export async function listLogFiles(options: { home: string; buildId: string }): Promise<LogFileInfo[]> {
  const dir = buildLogsDir(options);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const files = await Promise.all(
    entries
      .filter((e) => e.isFile() && LOG_NAME.test(e.name))
      .map(async (e) => {
        const st = await lstat(path.join(dir, e.name));
        return { name: e.name, sizeBytes: st.size, modifiedAt: st.mtime.toISOString() };
      }),
  );
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return files.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * The absolute path of one log file of the build, by name. Only plain names of the log folder are
 * accepted (no separators, no dot files), so a request can never read outside it; the file itself
 * need not exist yet (odoo.log appears when the server starts).
 */
export function logFilePath(options: { home: string; buildId: string; name: string }): string {
  if (!LOG_NAME.test(options.name)) throw new DomainError("not_found", `There is no log named "${options.name}".`);
  return path.join(buildLogsDir(options), options.name);
}

/** Regular file (not a link), or a not_found DomainError. */
export async function assertLogFile(file: string): Promise<number> {
  const st = await lstat(file).catch(() => null);
  if (!st?.isFile()) throw new DomainError("not_found", `There is no log named "${path.basename(file)}" yet.`);
  return st.size;
}
