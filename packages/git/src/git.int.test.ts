import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchRevision, listRemoteBranches } from "./index";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "protocol.file.allow=always", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

let dir: string;
let bare: string;
let subBare: string;
let first: string;
let second: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "slipway-git-"));
  // A submodule repository holding one addon.
  subBare = path.join(dir, "sub.git");
  const subWork = path.join(dir, "sub");
  mkdirSync(path.join(subWork, "vendor_addon"), { recursive: true });
  git(dir, "init", "-q", "--bare", "-b", "main", subBare);
  git(dir, "init", "-q", "-b", "main", subWork);
  writeFileSync(path.join(subWork, "vendor_addon", "__manifest__.py"), "{'name': 'Vendor'}\n");
  git(subWork, "add", ".");
  git(subWork, "commit", "-qm", "vendor");
  git(subWork, "push", "-q", subBare, "main");
  // The project repository with the submodule.
  bare = path.join(dir, "project.git");
  const work = path.join(dir, "project");
  git(dir, "init", "-q", "--bare", "-b", "main", bare);
  git(dir, "init", "-q", "-b", "main", work);
  mkdirSync(path.join(work, "my_addon"));
  writeFileSync(path.join(work, "my_addon", "__manifest__.py"), "{'name': 'Mine', 'version': '1.0'}\n");
  git(work, "submodule", "add", "-q", subBare, "third_party");
  git(work, "add", ".");
  git(work, "commit", "-qm", "first commit");
  first = git(work, "rev-parse", "HEAD");
  writeFileSync(path.join(work, "my_addon", "__manifest__.py"), "{'name': 'Mine', 'version': '1.1'}\n");
  git(work, "commit", "-qam", "second commit");
  second = git(work, "rev-parse", "HEAD");
  git(work, "push", "-q", bare, "main", "main:feature/x");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("git adapter against real repositories", () => {
  it("lists remote branches with their heads", async () => {
    const heads = await listRemoteBranches({ url: bare });
    expect(Object.fromEntries(heads)).toEqual({ main: second, "feature/x": second });
  });

  it("checks out an exact older revision with its submodules", async () => {
    const dest = path.join(dir, "checkout");
    const got = await fetchRevision({ url: bare, revision: first, branch: "main", dest, allowLocalSubmodules: true });
    expect(got.revision).toBe(first);
    expect(got.subject).toBe("first commit");
    expect(got.submodules).toEqual(["third_party"]);
    expect(readFileSync(path.join(dest, "my_addon", "__manifest__.py"), "utf8")).toContain("'1.0'");
    expect(existsSync(path.join(dest, "third_party", "vendor_addon", "__manifest__.py"))).toBe(true);
  });

  it("leaves the checkout readable by every user (Odoo runs as uid 101) even under the platform's umask 077", async () => {
    const dest = path.join(dir, "checkout-077");
    const previous = process.umask(0o077);
    try {
      await fetchRevision({ url: bare, revision: first, branch: "main", dest, allowLocalSubmodules: true });
    } finally {
      process.umask(previous);
    }
    const mode = (p: string) => statSync(path.join(dest, p)).mode & 0o777;
    expect(mode(".")).toBe(0o755);
    expect(mode("my_addon")).toBe(0o755);
    expect(mode("my_addon/__manifest__.py")).toBe(0o644);
    expect(mode("third_party/vendor_addon/__manifest__.py")).toBe(0o644);
  });

  it("clones the branch's tip when the revision is its head, and fetches by sha when the branch moved since or is gone", async () => {
    const previous = process.umask(0o077);
    const fetchTip = (revision: string, branch: string, dest: string) =>
      fetchRevision({ url: bare, revision, branch, branchTip: true, dest, allowLocalSubmodules: true });
    try {
      // The tip: one clone, with its submodule, readable by all, nothing hard-linked from the
      // repository on this disk (making the checkout readable would change the repository's own files).
      const tip = path.join(dir, "tip");
      const got = await fetchTip(second, "main", tip);
      expect(got).toMatchObject({ revision: second, subject: "second commit", author: "T <t@example.org>", submodules: ["third_party"] });
      expect(readFileSync(path.join(tip, "my_addon", "__manifest__.py"), "utf8")).toContain("'1.1'");
      expect(existsSync(path.join(tip, "third_party", "vendor_addon", "__manifest__.py"))).toBe(true);
      expect(statSync(path.join(tip, "my_addon", "__manifest__.py")).mode & 0o777).toBe(0o644);
      // Cloned on its branch, not fetched by sha after a failed clone (that checkout is detached).
      expect(git(tip, "symbolic-ref", "HEAD")).toBe("refs/heads/main");
      const files = (d: string): string[] =>
        readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]));
      const objects = files(path.join(tip, ".git", "objects"));
      expect(objects.length).toBeGreaterThan(0);
      expect(objects.filter((f) => statSync(f).nlink > 1)).toEqual([]);
      // Said to be the tip but the branch has moved on: the asked revision all the same.
      const moved = path.join(dir, "moved");
      const older = await fetchTip(first, "main", moved);
      expect(older).toMatchObject({ revision: first, subject: "first commit" });
      expect(readFileSync(path.join(moved, "my_addon", "__manifest__.py"), "utf8")).toContain("'1.0'");
      // A branch that is gone: fetched by sha.
      const gone = path.join(dir, "gone");
      const kept = await fetchTip(second, "deleted", gone);
      expect(kept.revision).toBe(second);
      expect(readFileSync(path.join(gone, "my_addon", "__manifest__.py"), "utf8")).toContain("'1.1'");
    } finally {
      process.umask(previous);
    }
  });

  it("vets the project's URL and every submodule's before fetching from it (a submodule pointing elsewhere is refused)", async () => {
    const seen: string[] = [];
    // Control: a vetter that accepts sees both URLs, the submodule's as git resolved it.
    await fetchRevision({
      url: bare,
      revision: first,
      branch: "main",
      dest: path.join(dir, "vetted"),
      allowLocalSubmodules: true,
      vetUrl: async (u) => void seen.push(u),
    });
    expect(seen).toEqual([bare, subBare]);
    // A vetter refusing the submodule's URL (say, outside the local repositories root): nothing fetched from it.
    const dest = path.join(dir, "refused");
    const refusal = fetchRevision({
      url: bare,
      revision: first,
      branch: "main",
      dest,
      allowLocalSubmodules: true,
      vetUrl: async (u) => {
        if (u === subBare) throw new Error(`refused ${u}`);
      },
    });
    await expect(refusal).rejects.toThrow(`refused ${subBare}`);
    expect(existsSync(path.join(dest, "third_party", "vendor_addon"))).toBe(false);
  });

  it("refuses local submodules unless allowed, and unknown revisions, with clear errors", async () => {
    await expect(fetchRevision({ url: bare, revision: second, branch: "main", dest: path.join(dir, "c2") })).rejects.toThrow(/submodules/);
    await expect(fetchRevision({ url: bare, revision: "0".repeat(40), branch: "main", dest: path.join(dir, "c3") })).rejects.toThrow(
      /git could not/,
    );
    await expect(fetchRevision({ url: bare, revision: "HEAD", branch: "main", dest: path.join(dir, "c4") })).rejects.toThrow(
      /full commit sha/,
    );
  });
});
