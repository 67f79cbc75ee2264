// Finds the addons folders, modules and requirements files of a checkout (Odoo.sh layout rules
// from @slipway/domain). Never follows a symbolic link out of the checkout, never descends into
// dot folders, stops at a bounded depth and folder count. Bad manifests and odd module names
// become problems in the result rather than failures: a branch with one broken module still builds.
import { createHash } from "node:crypto";
import type { Dirent } from "node:fs";
import { lstat, readdir, readFile, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import {
  DomainError,
  checkModuleName,
  isIgnoredFolder,
  joinRelative,
  orderAddonsPaths,
  parseGitmodules,
  parseManifest,
  requirementsLocations,
  resolveDuplicateModules,
  type AddonsDiscovery,
  type AddonsProblem,
  type DiscoveredModule,
  type RequirementsFile,
} from "@slipway/domain";

export interface DiscoverAddonsOptions {
  checkoutDir: string;
  /** Deepest folder (root = 0) that may be an addons folder. */
  maxDepth?: number;
  maxFolders?: number;
}

const MANIFEST = "__manifest__.py";
const MAX_FILE_BYTES = 1024 * 1024;

interface Walk {
  root: string;
  maxDepth: number;
  maxFolders: number;
  folders: number;
  visited: Set<string>;
  submodules: Set<string>;
  addonsFolders: { path: string; fromSubmodule: boolean }[];
  candidates: { name: string; path: string; addonsPath: string; fromSubmodule: boolean }[];
  problems: AddonsProblem[];
}

export async function discoverAddons(options: DiscoverAddonsOptions): Promise<AddonsDiscovery> {
  const root = await realpath(options.checkoutDir).catch(() => {
    throw new DomainError("invalid_input", `checkout folder ${options.checkoutDir} does not exist`);
  });
  const w: Walk = {
    root,
    maxDepth: options.maxDepth ?? 6,
    maxFolders: options.maxFolders ?? 10_000,
    folders: 0,
    visited: new Set([root]),
    submodules: new Set(),
    addonsFolders: [],
    candidates: [],
    problems: [],
  };
  if (await exists(path.join(root, MANIFEST))) {
    w.problems.push({ path: MANIFEST, reason: "the repository root is itself a module; put modules in sub-folders" });
  }
  await readGitmodules(w, ".");
  await walk(w, ".", 0, false);

  const addonsPaths = orderAddonsPaths(w.addonsFolders);
  const modules: DiscoveredModule[] = [];
  for (const c of w.candidates) {
    const module = await readModule(w, c);
    if (module) modules.push(module);
  }
  const resolved = resolveDuplicateModules({ modules, addonsPaths });
  const requirements = await readRequirements(w, addonsPaths);
  return {
    addonsPaths,
    modules: resolved.modules,
    requirements: requirements.files,
    requirementsHash: requirements.hash,
    problems: [...w.problems, ...resolved.problems],
  };
}

async function walk(w: Walk, dir: string, depth: number, inSubmodule: boolean): Promise<void> {
  if (++w.folders > w.maxFolders) {
    if (w.folders === w.maxFolders + 1) {
      w.problems.push({ path: dir, reason: `stopped looking for modules after ${w.maxFolders} folders` });
    }
    return;
  }
  let entries: Dirent[];
  try {
    entries = await readdir(abs(w, dir), { withFileTypes: true });
  } catch (error) {
    w.problems.push({ path: dir, reason: `cannot read folder: ${(error as Error).message}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subfolders: string[] = [];
  let holdsModules = false;
  for (const entry of entries) {
    if (isIgnoredFolder(entry.name)) continue;
    const child = joinRelative(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      // Links to files do not matter here; a link to a folder outside the checkout is refused.
      const real = await realpath(abs(w, child)).catch(() => null);
      isDir = real !== null && (await stat(real)).isDirectory() && (await resolveInside(w, child)) !== null;
    }
    if (!isDir) continue;
    const manifest = joinRelative(child, MANIFEST);
    const manifestEntry = await lstat(abs(w, manifest)).catch(() => null);
    if (!manifestEntry) {
      subfolders.push(child);
      continue;
    }
    holdsModules = true;
    // A manifest linked from outside the checkout is not read (nor is the module used).
    if (manifestEntry.isSymbolicLink() && (await resolveInside(w, manifest)) === null) continue;
    w.candidates.push({ name: entry.name, path: child, addonsPath: dir, fromSubmodule: inSubmodule });
  }
  if (holdsModules) w.addonsFolders.push({ path: dir, fromSubmodule: inSubmodule });
  if (depth >= w.maxDepth) return;
  for (const sub of subfolders) {
    const real = await realpath(abs(w, sub));
    if (w.visited.has(real)) continue; // a link to a folder already walked, or a loop
    w.visited.add(real);
    const isSubmodule = w.submodules.has(sub) || (await exists(path.join(real, ".git")));
    if (isSubmodule) await readGitmodules(w, sub);
    await walk(w, sub, depth + 1, inSubmodule || isSubmodule);
  }
}

/** Records the submodule paths declared in `<dir>/.gitmodules` (relative to the checkout). */
async function readGitmodules(w: Walk, dir: string): Promise<void> {
  const file = joinRelative(dir, ".gitmodules");
  const content = await readInside(w, file);
  if (content === null) return;
  for (const s of parseGitmodules(content.toString("utf8"))) w.submodules.add(joinRelative(dir, s.path));
}

async function readModule(w: Walk, c: Walk["candidates"][number]): Promise<DiscoveredModule | null> {
  const nameCheck = checkModuleName(c.name);
  if (!nameCheck.ok) {
    w.problems.push({ path: c.path, reason: nameCheck.reason });
    return null;
  }
  const manifestPath = joinRelative(c.path, MANIFEST);
  try {
    const bytes = await readInside(w, manifestPath);
    if (bytes === null) return null;
    const content = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { ...c, manifest: parseManifest({ content, path: manifestPath, moduleName: c.name }) };
  } catch (error) {
    const reason = error instanceof DomainError ? error.message : `${manifestPath}: ${(error as Error).message}`;
    w.problems.push({ path: manifestPath, reason });
    return null;
  }
}

async function readRequirements(w: Walk, addonsPaths: readonly string[]): Promise<{ files: RequirementsFile[]; hash: string }> {
  const files: RequirementsFile[] = [];
  const all = createHash("sha256");
  for (const file of requirementsLocations(addonsPaths)) {
    const content = await readInside(w, file);
    if (content === null) continue;
    files.push({ path: file, sha256: createHash("sha256").update(content).digest("hex") });
    // Path and content both count: moving a file changes where pip resolves relative includes.
    all.update(file).update("\0").update(content).update("\0");
  }
  return { files, hash: files.length === 0 ? "" : all.digest("hex") };
}

/**
 * Reads a regular file of the checkout; null when absent. A symbolic link is only followed when
 * it resolves inside the checkout (otherwise a problem is recorded); big files are refused.
 */
async function readInside(w: Walk, rel: string): Promise<Buffer | null> {
  const entry = await lstat(abs(w, rel)).catch(() => null);
  if (!entry) return null;
  const target = entry.isSymbolicLink() ? await resolveInside(w, rel) : abs(w, rel);
  if (target === null) return null;
  const info = await stat(target);
  if (!info.isFile()) return null;
  if (info.size > MAX_FILE_BYTES) {
    w.problems.push({ path: rel, reason: `file is larger than ${MAX_FILE_BYTES} bytes; not read` });
    return null;
  }
  return readFile(target);
}

/** The real path of a link inside the checkout, or null (with a problem) for outside/broken links. */
async function resolveInside(w: Walk, rel: string): Promise<string | null> {
  const link = await readlink(abs(w, rel)).catch(() => "?");
  let real: string;
  try {
    real = await realpath(abs(w, rel));
  } catch {
    w.problems.push({ path: rel, reason: `broken symbolic link (to ${link}); ignored` });
    return null;
  }
  if (real !== w.root && !real.startsWith(w.root + path.sep)) {
    w.problems.push({ path: rel, reason: `symbolic link points outside the checkout (to ${link}); not followed` });
    return null;
  }
  return real;
}

function abs(w: Walk, rel: string): string {
  return rel === "." ? w.root : path.join(w.root, ...rel.split("/"));
}

async function exists(p: string): Promise<boolean> {
  return (await lstat(p).catch(() => null)) !== null;
}
