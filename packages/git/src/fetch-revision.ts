import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DomainError } from "@slipway/domain";
import { makeTreeReadable } from "./readable-tree";
import { runGit } from "./run-git";

export interface FetchRevisionOptions {
  url: string;
  /** Exact commit to check out (40 hex). */
  revision: string;
  /** Branch the revision was pushed to; fetched in full when the server refuses fetching by sha. */
  branch: string;
  /** Empty or missing folder that receives the checkout. */
  dest: string;
  /** Local submodule URLs are only allowed when the project itself is a local repository. */
  allowLocalSubmodules?: boolean;
  /**
   * Checks a URL before anything is fetched from it: the project's own (again at every fetch: names
   * can start resolving elsewhere) and every submodule's, at every depth, once git resolved it.
   * Throws to refuse (DomainError invalid_input).
   */
  vetUrl?: (url: string) => Promise<void>;
  timeoutMs?: number;
}

export interface FetchedRevision {
  revision: string;
  subject: string;
  author: string;
  submodules: string[];
}

const SHA = /^[0-9a-f]{40}$/;

/**
 * Checks out one exact revision, with its submodules, into dest (idempotent: dest is recreated).
 * The checkout is left readable by every user (a+rX, symlinks untouched) whatever the process's
 * umask: it is mounted read-only into Odoo containers that run as another user.
 */
export async function fetchRevision(opts: FetchRevisionOptions): Promise<FetchedRevision> {
  const { url, revision, branch, dest, timeoutMs } = opts;
  if (!SHA.test(revision)) throw new DomainError("invalid_input", `"${revision}" is not a full commit sha.`);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  const git = (args: string[], what: string, config?: Record<string, string>, cwd = dest) => runGit({ args, cwd, what, timeoutMs, config });
  await opts.vetUrl?.(url);
  await git(["init", "-q"], "initialise the checkout");
  await git(["remote", "add", "origin", "--", url], "add the remote");
  try {
    await git(["fetch", "-q", "--depth", "1", "origin", revision], `fetch ${revision.slice(0, 12)} from ${url}`);
  } catch {
    // Some servers refuse wants by sha; the branch always carries the pushed revision (or a descendant).
    await git(["fetch", "-q", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`], `fetch branch ${branch} from ${url}`);
  }
  await git(["checkout", "-q", "--detach", revision], `check out ${revision.slice(0, 12)}`);
  const submoduleConfig: Record<string, string> = opts.allowLocalSubmodules ? { "protocol.file.allow": "always" } : {};
  // Level by level (not --recursive): each level's URLs are vetted before git fetches from them.
  const updateSubmodules = async (cwd: string, depth: number): Promise<void> => {
    if (depth > 8) throw new DomainError("invalid_input", "Submodules are nested more than 8 levels deep.");
    await git(["submodule", "init", "-q"], "read the submodules", {}, cwd);
    const urls = await git(["config", "--local", "--get-regexp", "^submodule\\..*\\.url$"], "read the submodule URLs", {}, cwd).catch(
      () => ({ stdout: "" }),
    );
    for (const line of urls.stdout.split("\n").filter(Boolean)) {
      const subUrl = line.slice(line.indexOf(" ") + 1);
      await opts.vetUrl?.(subUrl);
    }
    if (!urls.stdout.trim()) return;
    await git(["submodule", "update", "--depth", "1"], "fetch the submodules", submoduleConfig, cwd).catch(async () =>
      // A shallow submodule fetch fails when the pinned commit is not a branch tip: fetch it fully.
      git(["submodule", "update"], "fetch the submodules", submoduleConfig, cwd),
    );
    const status = await git(["submodule", "status"], "list the submodules", {}, cwd);
    for (const line of status.stdout.split("\n")) {
      const path = line.trim().split(/\s+/)[1];
      if (path) await updateSubmodules(join(cwd, path), depth + 1);
    }
  };
  await updateSubmodules(dest, 1);
  const { stdout } = await git(["log", "-1", "--format=%H%x00%s%x00%an <%ae>"], "read the commit");
  const [sha, subject, author] = stdout.trim().split("\0");
  const subs = await git(["submodule", "status", "--recursive"], "list the submodules");
  const submodules = subs.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[1])
    .filter((p): p is string => !!p);
  await makeTreeReadable(dest);
  return { revision: sha!, subject: subject ?? "", author: author ?? "", submodules };
}
