import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

function isRepoRoot(dir: string): boolean {
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "slipway";
  } catch {
    return false;
  }
}

/** Nearest folder at or above `start` holding the root package.json ("name": "slipway"). */
function findRepoRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isRepoRoot(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The repository root, derived from this file's location (packages/config/src) rather than the
 * working directory, so every process (web, worker, scripts, tests) agrees on the state folder
 * whatever folder it was started from.
 */
export function repoRoot(): string {
  let here: string | undefined;
  try {
    here = dirname(fileURLToPath(import.meta.url));
  } catch {
    // A bundler may rewrite import.meta.url to something that is not a file URL.
  }
  return (here && findRepoRoot(here)) ?? findRepoRoot(process.cwd()) ?? process.cwd();
}

/** Default SLIPWAY_HOME: the repository's `.slipway` folder. */
export function defaultSlipwayHome(): string {
  return resolve(repoRoot(), ".slipway");
}
