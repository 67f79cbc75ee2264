// Decisions about a checkout's addons layout (Odoo.sh rules, docs/product/projects-and-git.md, containers-and-isolation.md): which
// folders are skipped, which are submodules, where requirements.txt files are looked for, the
// order of the addons path and what happens when a module name appears twice. The filesystem
// walk itself lives in the worker (apps/worker/src/odoo/discover-addons.ts).
import type { ModuleManifest } from "./manifest";

export interface DiscoveredModule {
  name: string;
  /** Module folder relative to the checkout, `/`-separated. */
  path: string;
  /** The addons folder holding it, relative to the checkout (`.` for the root). */
  addonsPath: string;
  /** True when the module comes from a Git submodule (excluded by "only my modules"). */
  fromSubmodule: boolean;
  manifest: ModuleManifest;
}

export interface AddonsProblem {
  path: string;
  reason: string;
}

export interface RequirementsFile {
  path: string;
  sha256: string;
}

export interface AddonsDiscovery {
  addonsPaths: string[];
  modules: DiscoveredModule[];
  requirements: RequirementsFile[];
  /** Hash of all requirements files (path + content, sorted by path); "" when there are none. */
  requirementsHash: string;
  problems: AddonsProblem[];
}

export interface GitSubmodule {
  name: string;
  path: string;
  url: string | null;
}

// Dot folders are never addons (Odoo.sh rule); the others cannot hold modules and can be huge.
const SKIPPED_FOLDERS = new Set(["__pycache__", "node_modules"]);

export function isIgnoredFolder(name: string): boolean {
  return name.startsWith(".") || SKIPPED_FOLDERS.has(name);
}

/** Reads the `[submodule "name"]` sections of a .gitmodules file (git-config syntax). */
export function parseGitmodules(content: string): GitSubmodule[] {
  const result: GitSubmodule[] = [];
  let current: GitSubmodule | null = null;
  for (const rawLine of content.split(/\r?\n/)) {
    const line = rawLine.replace(/(^|\s)[#;].*$/, "").trim();
    if (line === "") continue;
    const section = /^\[\s*submodule\s+"((?:[^"\\]|\\.)*)"\s*\]$/.exec(line);
    if (section) {
      current = { name: section[1]!.replace(/\\(.)/g, "$1"), path: "", url: null };
      result.push(current);
      continue;
    }
    if (line.startsWith("[")) {
      current = null;
      continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (!current || !kv) continue;
    const value = unquote(kv[2]!);
    const key = kv[1]!.toLowerCase();
    if (key === "path") current.path = normalizeRelativePath(value);
    else if (key === "url") current.url = value;
  }
  return result.filter((s) => s.path !== "" && s.path !== ".." && !s.path.startsWith("../"));
}

function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, "$1") : v;
}

/** `./a//b/` → `a/b`; the root is `.`. */
export function normalizeRelativePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.length === 0 ? "." : parts.join("/");
}

export function joinRelative(dir: string, name: string): string {
  return dir === "." ? name : `${dir}/${name}`;
}

export function parentOf(path: string): string | null {
  if (path === ".") return null;
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash);
}

/**
 * Where requirements.txt files are looked for: the repository root, every addons folder (the
 * Odoo.sh docs: "in each folder containing Odoo modules… not in the module folder itself, but in
 * their parent folder") and the parent of every addons folder (docs/product/containers-and-isolation.md), inside the checkout.
 */
export function requirementsLocations(addonsPaths: readonly string[]): string[] {
  const folders = new Set<string>(["."]);
  for (const path of addonsPaths) {
    folders.add(path);
    const parent = parentOf(path);
    if (parent !== null) folders.add(parent);
  }
  return [...folders].map((f) => joinRelative(f, "requirements.txt")).sort(compareStrings);
}

/** The repository's own addons folders first, then the submodules' ones; each group sorted. */
export function orderAddonsPaths(paths: readonly { path: string; fromSubmodule: boolean }[]): string[] {
  const unique = new Map<string, boolean>();
  for (const p of paths) unique.set(p.path, (unique.get(p.path) ?? true) && p.fromSubmodule);
  const own = [...unique].filter(([, sub]) => !sub).map(([p]) => p);
  const subs = [...unique].filter(([, sub]) => sub).map(([p]) => p);
  return [...own.sort(compareStrings), ...subs.sort(compareStrings)];
}

/**
 * Odoo loads the first module of a name found along the addons path and ignores later copies;
 * keep the same winner and report the others.
 */
export function resolveDuplicateModules(options: { modules: readonly DiscoveredModule[]; addonsPaths: readonly string[] }): {
  modules: DiscoveredModule[];
  problems: AddonsProblem[];
} {
  const rank = new Map(options.addonsPaths.map((p, i) => [p, i]));
  const ordered = [...options.modules].sort(
    (a, b) => (rank.get(a.addonsPath) ?? Infinity) - (rank.get(b.addonsPath) ?? Infinity) || compareStrings(a.name, b.name),
  );
  const winners = new Map<string, DiscoveredModule>();
  const problems: AddonsProblem[] = [];
  for (const m of ordered) {
    const first = winners.get(m.name);
    if (first) {
      problems.push({
        path: m.path,
        reason: `module "${m.name}" also exists at ${first.path}, which comes first on the addons path; this copy is ignored`,
      });
    } else winners.set(m.name, m);
  }
  return { modules: [...winners.values()].sort((a, b) => compareStrings(a.name, b.name)), problems };
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
