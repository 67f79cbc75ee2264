import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root, derived from this file's location (packages/config/src) rather than the
 * working directory, so every process (web, worker, scripts, tests) agrees on the state folder
 * whatever folder it was started from.
 */
export function repoRoot(): string {
  try {
    return resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  } catch {
    // A bundler may rewrite import.meta.url to something that is not a file URL.
    return process.cwd();
  }
}

/** Default SLIPWAY_HOME: the repository's `.slipway` folder. */
export function defaultSlipwayHome(): string {
  return resolve(repoRoot(), ".slipway");
}
