// Test support: a local bare Git repository whose commits hold the stand-in image's fixture addons
// (docker/odoo-standin/fixtures), so tests push real revisions the platform fetches like any other.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = fileURLToPath(new URL("../../../../docker/odoo-standin/fixtures", import.meta.url));

export interface FixtureRepo {
  /** Absolute path of the bare repository: the project's repository URL. */
  url: string;
  /**
   * Commits exactly these fixture addons on `branch` (plus `files`: extra paths → contents, e.g. a
   * deliberately broken module) and pushes; returns the new revision.
   */
  push(branch: string, addons: string[], message?: string, files?: Record<string, string>): string;
  remove(): void;
}

export function createFixtureRepo(): FixtureRepo {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-fixture-repo-"));
  const bare = path.join(dir, "repo.git");
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.org", ...args], { cwd, encoding: "utf8" }).trim();
  git(dir, "init", "-q", "--bare", "-b", "main", bare);
  let n = 0;
  return {
    url: bare,
    push(branch, addons, message, files = {}) {
      const work = path.join(dir, `work-${++n}`);
      git(dir, "clone", "-q", bare, work);
      const has = git(work, "ls-remote", "--heads", "origin", branch) !== "";
      if (has) git(work, "checkout", "-q", branch);
      else git(work, "checkout", "-q", "--orphan", branch);
      git(work, "rm", "-rqf", "--ignore-unmatch", ".");
      mkdirSync(path.join(work, "addons"), { recursive: true });
      for (const a of addons)
        cpSync(path.join(FIXTURES_DIR, a), path.join(work, "addons", a), { recursive: true, filter: (s) => !s.includes("__pycache__") });
      for (const [rel, content] of Object.entries(files)) {
        const target = path.join(work, rel);
        if (!target.startsWith(work + path.sep)) throw new Error(`fixture path outside the repository: ${rel}`);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
      git(work, "add", "-A");
      git(work, "commit", "-q", "--allow-empty", "-m", message ?? `Add ${addons.join(", ")}`);
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
