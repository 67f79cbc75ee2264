#!/usr/bin/env node
// Every workspace declares what it imports, and imports what it declares (a step of `npm test`,
// `npm run check:workspace-deps`). npm hoists all packages to the root node_modules, so an import
// of a package another workspace declared resolves anyway and nothing else would notice.
//
// For each workspace (the root package.json's "workspaces"), every import in its .ts/.tsx/.js/.mjs/
// .cjs files and every @import of its CSS is read:
//   - a package imported by a non-test file must be in its dependencies, devDependencies or
//     peerDependencies; test files and testing support may also use the root's devDependencies
//     (the shared test toolchain: vitest, Playwright);
//   - a package in its dependencies must be imported somewhere in it, or listed in
//     USED_WITHOUT_IMPORT with the reason.
// Node built-ins, relative imports and the web's path aliases (@/, @test-support/) are not packages.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Declared dependencies used by configuration or by other packages, never imported by name. */
export const USED_WITHOUT_IMPORT = {
  "@slipway/web": {
    "react-dom": "peer dependency of next (renders the pages)",
    "@tailwindcss/postcss": "named by postcss.config.mjs",
    postcss: "runs @tailwindcss/postcss",
  },
  "@slipway/db": {
    "@prisma/client": "the runtime of the generated client (src/generated, not scanned)",
  },
};

const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(["node_modules", ".next", "dist", "generated", ".turbo", "test-results"]);
const TEST_FILE = /(\.test\.tsx?$|\.int\.test\.tsx?$|(^|\/)testing(\/|\.ts$)|(^|\/)test-support\/)/;
const ALIASES = [/^@\//, /^@test-support\//];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

// import x from "p"; import "p"; export … from "p"; import("p"); require("p"); import x = require("p")
const IMPORT_PATTERNS = [
  /\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g,
];
const CSS_IMPORT = /@import\s+["']([^"']+)["']/g;

/** The package a bare specifier names ("@scope/name/sub" → "@scope/name", "name/sub" → "name"), or null. */
export function packageName(specifier) {
  if (specifier.startsWith(".") || specifier.startsWith("/") || BUILTINS.has(specifier) || specifier.startsWith("node:")) return null;
  if (ALIASES.some((a) => a.test(specifier))) return null;
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(\/|$)/i.test(specifier)) return null;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return BUILTINS.has(name) ? null : name;
}

/** Comments out: an import in a comment (an example, a citation) is not an import. */
function stripComments(code) {
  return code.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

export function importsOf(code, { css = false } = {}) {
  const text = css ? code : stripComments(code);
  const found = new Set();
  for (const pattern of css ? [CSS_IMPORT] : IMPORT_PATTERNS)
    for (const m of text.matchAll(pattern)) {
      const name = packageName(m[1]);
      if (name) found.add(name);
    }
  return found;
}

function* walk(dir, rel = "") {
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* walk(dir, child);
    } else if (SOURCE.test(entry.name) || entry.name.endsWith(".css")) yield child;
  }
}

function workspaceDirs(root, patterns) {
  const dirs = [];
  for (const pattern of patterns) {
    if (!pattern.endsWith("/*")) {
      dirs.push(pattern);
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true }))
      if (entry.isDirectory() && existsSync(path.join(root, parent, entry.name, "package.json"))) dirs.push(`${parent}/${entry.name}`);
  }
  return dirs.sort();
}

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** The problems found under `root`, one sentence each (empty: every workspace is consistent). */
export function checkWorkspaceDeps(root, { usedWithoutImport = USED_WITHOUT_IMPORT } = {}) {
  const rootPkg = readJson(path.join(root, "package.json"));
  const rootDev = new Set(Object.keys(rootPkg.devDependencies ?? {}));
  const problems = [];
  for (const dir of workspaceDirs(root, rootPkg.workspaces ?? [])) {
    const pkg = readJson(path.join(root, dir, "package.json"));
    const runtime = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const declared = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
    const imported = new Set();
    /** Undeclared package → the files importing it. */
    const undeclared = new Map();
    for (const file of walk(path.join(root, dir))) {
      const test = TEST_FILE.test(file);
      for (const name of importsOf(readFileSync(path.join(root, dir, file), "utf8"), { css: file.endsWith(".css") })) {
        if (name === pkg.name) continue;
        imported.add(name);
        if (declared.has(name) || (test && rootDev.has(name))) continue;
        undeclared.set(name, [...(undeclared.get(name) ?? []), `${dir}/${file}`]);
      }
    }
    for (const [name, files] of undeclared)
      problems.push(
        `${pkg.name} imports ${name} without declaring it in ${dir}/package.json (${files[0]}${files.length > 1 ? ` and ${files.length - 1} more` : ""})`,
      );
    const exempt = usedWithoutImport[pkg.name] ?? {};
    for (const name of runtime)
      if (!imported.has(name) && !exempt[name])
        problems.push(`${pkg.name} declares ${name} and never imports it: remove it (or list why in USED_WITHOUT_IMPORT)`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const problems = checkWorkspaceDeps(root);
  for (const p of problems) console.error(`workspace dependencies: ${p}`);
  if (problems.length) process.exit(1);
  console.log("workspace dependencies: every workspace declares what it imports and imports what it declares");
}
