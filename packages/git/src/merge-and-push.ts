import { mkdir, rm } from "node:fs/promises";
import { DomainError } from "@slipway/domain";
import { runGit } from "./run-git";

export interface MergeAndPushOptions {
  /** Repository URL (local path, file://, SSH or HTTPS), as the project stores it. */
  url: string;
  /** Branch whose commits are merged. */
  source: string;
  /** Branch that receives the merge commit and is pushed. */
  target: string;
  /** Scratch folder for the clone; recreated, and removed afterwards. */
  workdir: string;
  /** Committer and author of the merge commit (the platform acting for a user). */
  author: { name: string; email: string };
  timeoutMs?: number;
}

export type MergeOutcome =
  /** Merge commit created and pushed: the target's head moved from `previous` to `revision`. */
  | { kind: "merged"; revision: string; previous: string }
  /** The target already contains every commit of the source: nothing to merge or push. */
  | { kind: "up_to_date"; revision: string }
  /** The merge conflicts: aborted, nothing committed, nothing pushed. */
  | { kind: "conflict"; files: string[]; previous: string };

// git check-ref-format's rules for a branch, plus no leading "-" (git would read an option).
const REF_NAME = /^(?![-/])(?!.*\.\.)(?!.*\/\/)(?!.*@\{)(?!.*\.lock$)[^\s~^:?*[\\]+(?<![./])$/;
const hasControl = (name: string) => [...name].some((c) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127);

function checkBranchName(name: string): void {
  if (!REF_NAME.test(name) || hasControl(name)) throw new DomainError("invalid_input", `"${name}" is not a valid branch name.`);
}

/**
 * Merges `source` into `target` and pushes `target` (docs/product/stages-and-branches.md "dropping A onto B"): a fresh
 * clone of both branches, `git merge --no-ff --no-edit origin/<source>` on `target`, then a plain
 * push. A conflict is aborted (`git merge --abort`) and reported with its files: nothing is forced
 * and nothing pushed. The push is never forced either: if `target` moved meanwhile, git refuses and
 * the caller reports it. Credentials: whatever git uses for `url` in the worker's environment
 * (local paths need none). Future work: per-project deploy keys (GIT_SSH_COMMAND with the key) and
 * tokens for HTTPS remotes; GitHub projects could use the merge API instead.
 */
export async function mergeAndPush(options: MergeAndPushOptions): Promise<MergeOutcome> {
  const { url, source, target, workdir, author, timeoutMs } = options;
  checkBranchName(source);
  checkBranchName(target);
  if (source === target) throw new DomainError("invalid_input", "A branch cannot be merged into itself.");
  await rm(workdir, { recursive: true, force: true });
  await mkdir(workdir, { recursive: true });
  const identity = { "user.name": author.name, "user.email": author.email };
  const git = (args: string[], what: string) => runGit({ args, cwd: workdir, what, timeoutMs, config: identity });
  try {
    await git(["init", "-q"], "initialise the merge folder");
    await git(["remote", "add", "origin", "--", url], "add the remote");
    await git(
      [
        "fetch",
        "-q",
        "origin",
        `+refs/heads/${target}:refs/remotes/origin/${target}`,
        `+refs/heads/${source}:refs/remotes/origin/${source}`,
      ],
      `fetch ${source} and ${target} from ${url}`,
    );
    await git(["checkout", "-q", "-B", target, `refs/remotes/origin/${target}`], `check out ${target}`);
    const previous = (await git(["rev-parse", "HEAD"], "read the target head")).stdout.trim();
    const upToDate = await git(["merge-base", "--is-ancestor", `refs/remotes/origin/${source}`, "HEAD"], "compare the branches")
      .then(() => true)
      .catch(() => false);
    if (upToDate) return { kind: "up_to_date", revision: previous };
    try {
      await git(
        ["merge", "--no-ff", "--no-edit", "-m", `Merge branch '${source}' into ${target}`, `refs/remotes/origin/${source}`],
        `merge ${source} into ${target}`,
      );
    } catch (error) {
      const unmerged = await git(["diff", "--name-only", "--diff-filter=U"], "list the conflicting files").catch(() => ({ stdout: "" }));
      const files = unmerged.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      await git(["merge", "--abort"], "abort the merge").catch(() => undefined);
      if (files.length > 0) return { kind: "conflict", files, previous };
      throw error;
    }
    const revision = (await git(["rev-parse", "HEAD"], "read the merge commit")).stdout.trim();
    try {
      await git(["push", "-q", "origin", `HEAD:refs/heads/${target}`], `push ${target} to ${url}`);
    } catch (error) {
      throw new DomainError(
        "conflict",
        `The merge could not be pushed: ${target} changed meanwhile or the server refused it (${(error as Error).message}). Nothing was forced; try again.`,
        {
          cause: error,
          details: { source, target },
        },
      );
    }
    return { kind: "merged", revision, previous };
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
