import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeAndPush } from "./index";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.org", ...args], { cwd, encoding: "utf8" }).trim();

let dir: string;
let bare: string;
const author = { name: "Slipway (for ada)", email: "ada@example.org" };
const head = (branch: string) => git(dir, "--git-dir", bare, "rev-parse", `refs/heads/${branch}`);

/** Commits `files` on `branch` (created from `from` when new) and pushes it. */
function commit(branch: string, files: Record<string, string>, from = "main"): string {
  const work = mkdtempSync(path.join(dir, "w-"));
  git(work, "clone", "-q", bare, ".");
  const exists = git(work, "ls-remote", "--heads", "origin", branch) !== "";
  git(work, "checkout", "-q", ...(exists ? [branch] : ["-b", branch, `origin/${from}`]));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(work, name), content);
  git(work, "add", ".");
  git(work, "commit", "-qm", `change ${Object.keys(files).join(",")} on ${branch}`);
  git(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`);
  const sha = git(work, "rev-parse", "HEAD");
  rmSync(work, { recursive: true, force: true });
  return sha;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "slipway-merge-"));
  bare = path.join(dir, "repo.git");
  git(dir, "init", "-q", "--bare", "-b", "main", bare);
  const work = path.join(dir, "init");
  git(dir, "init", "-q", "-b", "main", work);
  writeFileSync(path.join(work, "shared.txt"), "line 1\n");
  git(work, "add", ".");
  git(work, "commit", "-qm", "initial");
  git(work, "push", "-q", bare, "main");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mergeAndPush against a real bare repository", () => {
  it("merges the source into the target with a merge commit and pushes the target", async () => {
    const feature = commit("feature", { "feature.txt": "new\n" });
    const before = commit("main", { "main.txt": "main work\n" });
    const workdir = path.join(dir, "merge-1");
    const out = await mergeAndPush({ url: bare, source: "feature", target: "main", workdir, author });
    expect(out).toMatchObject({ kind: "merged", previous: before });
    if (out.kind !== "merged") throw new Error("unreachable");
    expect(head("main")).toBe(out.revision);
    expect(git(dir, "--git-dir", bare, "rev-parse", `${out.revision}^1`, `${out.revision}^2`).split("\n")).toEqual([before, feature]);
    expect(git(dir, "--git-dir", bare, "log", "-1", "--format=%s|%an|%ae", out.revision)).toBe(
      "Merge branch 'feature' into main|Slipway (for ada)|ada@example.org",
    );
    expect(head("feature")).toBe(feature);
    expect(existsSync(workdir)).toBe(false);
  });

  it("reports up to date when the target already contains the source", async () => {
    const main = head("main");
    expect(await mergeAndPush({ url: bare, source: "feature", target: "main", workdir: path.join(dir, "merge-2"), author })).toEqual({
      kind: "up_to_date",
      revision: main,
    });
    expect(head("main")).toBe(main);
  });

  it("aborts a conflicting merge, reports the files and leaves the target untouched", async () => {
    commit("conflicting", { "shared.txt": "theirs\n", "other.txt": "x\n" });
    const main = commit("main", { "shared.txt": "ours\n" });
    const out = await mergeAndPush({ url: bare, source: "conflicting", target: "main", workdir: path.join(dir, "merge-3"), author });
    expect(out).toEqual({ kind: "conflict", files: ["shared.txt"], previous: main });
    expect(head("main")).toBe(main);
  });

  it("refuses option-like or invalid branch names before running git", async () => {
    await expect(
      mergeAndPush({ url: bare, source: "--upload-pack=evil", target: "main", workdir: path.join(dir, "m4"), author }),
    ).rejects.toThrow(/not a valid branch name/);
    await expect(mergeAndPush({ url: bare, source: "a..b", target: "main", workdir: path.join(dir, "m4"), author })).rejects.toThrow(
      /not a valid branch name/,
    );
    await expect(mergeAndPush({ url: bare, source: "main", target: "main", workdir: path.join(dir, "m4"), author })).rejects.toThrow(
      /into itself/,
    );
  });

  it("fails clearly when a branch does not exist", async () => {
    await expect(mergeAndPush({ url: bare, source: "nope", target: "main", workdir: path.join(dir, "m5"), author })).rejects.toThrow(
      /git could not fetch nope and main/,
    );
  });
});
