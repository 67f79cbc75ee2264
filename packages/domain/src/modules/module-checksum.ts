// module_auto_update's checksum rule (OCA server-tools, see seeds/oca-module-auto-update.txt):
// sha1 over every kept file of a module — its relative path (UTF-8) then its bytes — in os.walk
// order (files of a folder sorted, then its sub-folders sorted, depth first). Files matching an
// exclude pattern (Python fnmatch on the relative path) are skipped, and so are `.po` files
// directly in i18n/ or i18n_extra/ whose language is not installed (when languages are given).
// Same inputs give the same hex digest as module_auto_update's addon_hash().
import { fnmatch } from "./fnmatch";
import { Sha1 } from "./sha1";

export const DEFAULT_CHECKSUM_EXCLUDE_PATTERNS: readonly string[] = ["*.pyc", "*.pyo", "i18n/*.pot", "i18n_extra/*.pot", "static/*"];

export interface ModuleFile {
  /** Path relative to the module folder, `/`-separated, as os.walk(followlinks=False) lists it. */
  relativePath: string;
  content: Uint8Array;
}

/** The `module_auto_update.exclude_patterns` parameter format: comma-separated patterns. */
export function parseExcludePatterns(value: string): string[] {
  return value
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

export function moduleChecksum(options: {
  files: readonly ModuleFile[];
  excludePatterns?: readonly string[];
  /** Codes of the installed languages (res_lang active), e.g. `en_US`, `fr_BE`; empty = keep all. */
  keepLanguages?: readonly string[];
}): string {
  const patterns = options.excludePatterns ?? DEFAULT_CHECKSUM_EXCLUDE_PATTERNS;
  const keep = new Set((options.keepLanguages ?? []).map((l) => l.split("_")[0]!));
  const kept = options.files.filter((f) => {
    if (patterns.some((p) => fnmatch(f.relativePath, p))) return false;
    return keep.size === 0 || !isOtherLanguagePo(f.relativePath, keep);
  });
  const sorted = kept.map((f) => ({ file: f, parts: f.relativePath.split("/") })).sort((a, b) => walkOrder(a.parts, b.parts));
  const sha1 = new Sha1();
  for (const { file } of sorted) {
    // The name is hashed too, so adding or removing an empty file changes the checksum.
    sha1.update(file.relativePath);
    sha1.update(file.content);
  }
  return sha1.hex();
}

function isOtherLanguagePo(path: string, keep: ReadonlySet<string>): boolean {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, Math.max(slash, 0));
  if (dir !== "i18n" && dir !== "i18n_extra") return false;
  const filename = path.slice(slash + 1);
  const dot = filename.lastIndexOf(".");
  // os.path.splitext ignores leading dots: ".po" has no extension.
  if (dot <= 0 || filename.slice(dot) !== ".po") return false;
  return !keep.has(filename.slice(0, dot).split("_")[0]!);
}

/** os.walk top-down order: a folder's files (sorted) come before its sub-folders (sorted). */
function walkOrder(a: readonly string[], b: readonly string[]): number {
  for (let k = 0; ; k++) {
    const aIsFile = k === a.length - 1;
    const bIsFile = k === b.length - 1;
    if (aIsFile !== bIsFile) return aIsFile ? -1 : 1;
    const c = compareCodePoints(a[k]!, b[k]!);
    if (c !== 0 || aIsFile) return c;
  }
}

/** Python compares str by code point; JS `<` compares UTF-16 code units. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const ca = [...a];
  const cb = [...b];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!.codePointAt(0)!;
    const y = cb[i]!.codePointAt(0)!;
    if (x !== y) return x - y;
  }
  return ca.length - cb.length;
}
