import { open, readdir } from "node:fs/promises";
import path from "node:path";
import { buildLogsDir as stateBuildLogsDir } from "@slipway/config";

export interface BuildLog {
  name: string;
  /** The last `tailLines` lines (the whole file when shorter). */
  text: string;
  /** True when earlier lines were left out. */
  truncated: boolean;
  sizeBytes: number;
}

const LOG_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.log$/;
// Pipeline order first (docs/product/containers-and-isolation.md), then any other log alphabetically.
const ORDER = ["pip.log", "install.log", "update.log", "neutralize.log", "import.log", "odoo.log"];
/** Enough bytes for ~2000 Odoo log lines without reading a huge file whole. */
const MAX_TAIL_BYTES = 1024 * 1024;

/** The log folder of a build, where the worker writes its step logs (the shared state layout). */
export function buildLogsDir({ home, buildId }: { home: string; buildId: string }): string {
  return stateBuildLogsDir(home, buildId);
}

async function tail(file: string, tailLines: number): Promise<Omit<BuildLog, "name">> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - MAX_TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    let lines = buffer.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    let truncated = start > 0;
    if (truncated) lines = lines.slice(1); // the first one is cut in the middle
    if (lines.length > tailLines) {
      lines = lines.slice(-tailLines);
      truncated = true;
    }
    return { text: lines.join("\n"), truncated, sizeBytes: size };
  } finally {
    await handle.close();
  }
}

/**
 * The build's log files (regular `*.log` files directly in its log folder; links and other names
 * are skipped, so nothing outside the folder is ever read), each tailed to `tailLines` lines.
 */
export async function readBuildLogs(options: { home: string; buildId: string; tailLines?: number }): Promise<BuildLog[]> {
  const dir = buildLogsDir(options);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  const names = entries.filter((e) => e.isFile() && LOG_NAME.test(e.name)).map((e) => e.name);
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return Promise.all(names.map(async (name) => ({ name, ...(await tail(path.join(dir, name), options.tailLines ?? 2000)) })));
}
