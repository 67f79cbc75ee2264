import { mkdir, rm } from "node:fs/promises";
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
  const git = (args: string[], what: string, config?: Record<string, string>) => runGit({ args, cwd: dest, what, timeoutMs, config });
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
  await git(["submodule", "update", "--init", "--recursive", "--depth", "1"], "fetch the submodules", submoduleConfig).catch(async () =>
    // A shallow submodule fetch fails when the pinned commit is not a branch tip: fetch it fully.
    git(["submodule", "update", "--init", "--recursive"], "fetch the submodules", submoduleConfig),
  );
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
