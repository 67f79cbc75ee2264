// The dependency check `npm start` and `npm test` run first (scripts/lib/dependencies.mjs), on a
// small project in a temporary folder with a real `npm ci` (a lock file without packages installs
// offline): missing → installed and stamped; fresh → nothing; a changed lock → installed again; an
// install made by hand (CI's `npm ci`, no stamp) is taken as fresh, not done twice.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dependencyState, ensureDependencies, lockHash, STAMP } from "./dependencies.mjs";

let dir: string;
const quiet = () => undefined;

// One local dependency (file:), so that npm makes a node_modules and its record of the install offline.
function writeLock(version: string): void {
  mkdirSync(path.join(dir, "dep"), { recursive: true });
  writeFileSync(path.join(dir, "dep", "package.json"), JSON.stringify({ name: "dep", version }));
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "deps-probe", version, private: true, dependencies: { dep: "file:dep" } }),
  );
  writeFileSync(
    path.join(dir, "package-lock.json"),
    JSON.stringify({
      name: "deps-probe",
      version,
      lockfileVersion: 3,
      requires: true,
      packages: {
        "": { name: "deps-probe", version, dependencies: { dep: "file:dep" } },
        dep: { version },
        "node_modules/dep": { resolved: "dep", link: true },
      },
    }),
  );
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "slipway-deps-"));
  writeLock("1.0.0");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureDependencies", () => {
  it("installs when node_modules is missing, then finds it fresh", { timeout: 60_000 }, () => {
    expect(dependencyState(dir)).toMatchObject({ fresh: false, why: "node_modules is missing" });
    expect(ensureDependencies(dir, { log: quiet })).toEqual({ installed: true });
    expect(readFileSync(path.join(dir, STAMP), "utf8").trim()).toBe(lockHash(dir));
    expect(dependencyState(dir).fresh).toBe(true);
    expect(ensureDependencies(dir, { log: quiet })).toEqual({ installed: false });
  });

  it("installs again when package-lock.json changes", { timeout: 60_000 }, () => {
    ensureDependencies(dir, { log: quiet });
    writeLock("1.0.1");
    expect(dependencyState(dir).fresh).toBe(false);
    expect(ensureDependencies(dir, { log: quiet })).toEqual({ installed: true });
    expect(readFileSync(path.join(dir, STAMP), "utf8").trim()).toBe(lockHash(dir));
  });

  it("takes an `npm ci` made by hand as fresh and stamps it (CI: no double install)", { timeout: 60_000 }, () => {
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir });
    expect(r.status).toBe(0);
    expect(existsSync(path.join(dir, STAMP))).toBe(false);
    expect(ensureDependencies(dir, { log: quiet })).toEqual({ installed: false });
    expect(readFileSync(path.join(dir, STAMP), "utf8").trim()).toBe(lockHash(dir));
  });

  it("finds node_modules stale when the lock file is newer than npm's record of the install", { timeout: 60_000 }, () => {
    spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir });
    const later = new Date(Date.now() + 60_000);
    writeLock("2.0.0");
    utimesSync(path.join(dir, "package-lock.json"), later, later);
    expect(dependencyState(dir)).toMatchObject({ fresh: false, why: "package-lock.json is newer than the installed dependencies" });
  });
});
