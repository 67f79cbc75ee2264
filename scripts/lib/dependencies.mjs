// Installs the npm dependencies when node_modules is missing or older than package-lock.json, so
// that `npm start` and `npm test` are all a newcomer types on a fresh clone. Node built-ins only:
// this runs before any dependency may be imported.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The stamp `ensureDependencies` writes after an install: the hash of the lock file it installed. */
export const STAMP = path.join("node_modules", ".slipway-lock-hash");

export function lockHash(root) {
  return createHash("sha256")
    .update(readFileSync(path.join(root, "package-lock.json")))
    .digest("hex");
}

/**
 * Whether node_modules matches package-lock.json: our stamp holds the lock's hash, or (an install
 * made by hand or by CI's `npm ci`, which writes no stamp) npm's own record of the install,
 * node_modules/.package-lock.json, is newer than the lock file. Returns the reason when not.
 */
export function dependencyState(root) {
  const modules = path.join(root, "node_modules");
  if (!existsSync(modules)) return { fresh: false, why: "node_modules is missing" };
  const hash = lockHash(root);
  const stamp = path.join(root, STAMP);
  if (existsSync(stamp) && readFileSync(stamp, "utf8").trim() === hash) return { fresh: true, hash };
  // npm's record of its last finished install: one made after the lock file's last change (and
  // after our stamp) matches it, whoever ran it.
  const npmRecord = path.join(modules, ".package-lock.json");
  if (!existsSync(npmRecord)) return { fresh: false, why: "node_modules holds no finished install" };
  const installedAt = statSync(npmRecord).mtimeMs;
  if (installedAt < statSync(path.join(root, "package-lock.json")).mtimeMs)
    return { fresh: false, why: "package-lock.json is newer than the installed dependencies" };
  if (existsSync(stamp) && installedAt <= statSync(stamp).mtimeMs)
    return { fresh: false, why: "package-lock.json changed since the last install" };
  return { fresh: true, hash, adopt: true };
}

/** Runs `npm ci` when the dependencies are missing or stale; records the lock's hash after. */
export function ensureDependencies(root, { log = console.log } = {}) {
  const state = dependencyState(root);
  if (state.fresh) {
    // An install we did not make but that matches: remember it, so a later lock change is seen.
    if (state.adopt) writeFileSync(path.join(root, STAMP), `${state.hash}\n`);
    return { installed: false };
  }
  log(`[deps] ${state.why}: installing the dependencies (npm ci)`);
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`npm ci failed (exit ${r.status ?? r.signal}); run it by hand to see why`);
  mkdirSync(path.join(root, "node_modules"), { recursive: true });
  writeFileSync(path.join(root, STAMP), `${lockHash(root)}\n`);
  return { installed: true };
}
