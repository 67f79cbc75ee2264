// Test support: a local bare Git repository whose commits hold exactly the given files, so a test
// can push variants of the stand-in fixture addons (a version bump, a broken data file).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FIXTURES_DIR } from "./fixture-repo";

export type Tree = Record<string, string>;

export interface TreeRepo {
  url: string;
  /** Commits exactly `files` (path → content) on `branch` and pushes; returns the new revision. */
  push(branch: string, files: Tree, message?: string): string;
  remove(): void;
}

/** A stand-in fixture addon as files under `addons/<name>/`. */
export function fixtureAddon(name: string): Tree {
  const root = path.join(FIXTURES_DIR, name);
  const out: Tree = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name === "__pycache__") continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out[`addons/${name}/${r}`] = readFileSync(path.join(root, r), "utf8");
    }
  };
  walk("");
  return out;
}

export function createTreeRepo(): TreeRepo {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-tree-repo-"));
  const bare = path.join(dir, "repo.git");
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.org", ...args], { cwd, encoding: "utf8" }).trim();
  git(dir, "init", "-q", "--bare", "-b", "main", bare);
  let n = 0;
  return {
    url: bare,
    push(branch, files, message) {
      const work = path.join(dir, `work-${++n}`);
      git(dir, "clone", "-q", bare, work);
      if (git(work, "ls-remote", "--heads", "origin", branch) !== "") git(work, "checkout", "-q", branch);
      else git(work, "checkout", "-q", "--orphan", branch);
      git(work, "rm", "-rqf", "--ignore-unmatch", ".");
      for (const [rel, content] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(work, rel)), { recursive: true });
        writeFileSync(path.join(work, rel), content);
      }
      git(work, "add", "-A");
      git(work, "commit", "-q", "--allow-empty", "-m", message ?? `Revision ${n}`);
      git(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`);
      const sha = git(work, "rev-parse", "HEAD");
      rmSync(work, { recursive: true, force: true });
      return sha;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
