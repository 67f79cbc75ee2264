import { access, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { DomainError } from "@slipway/domain";
import { makeTreeReadable } from "./readable-tree";
import { runGit } from "./run-git";
import { explainSshFailure, httpsTransport, repoPathOnHost, withSshAccess, type GitHttpsAccess, type GitSshAccess } from "./ssh-access";

export interface FetchRevisionOptions {
  url: string;
  /** Exact commit to check out (40 hex). */
  revision: string;
  /** Branch the revision was pushed to; fetched in full when the server refuses fetching by sha. */
  branch: string;
  /**
   * The revision is believed to be the branch's tip (the branch's recorded head: a push just made
   * it so). The branch is then cloned at depth 1 in one git process instead of init, remote, fetch
   * and checkout; the clone's commit is checked, and a branch that moved since is fetched by sha.
   */
  branchTip?: boolean;
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
  /**
   * A private repository over SSH: the project's deploy key, the sub-repositories' keys and the
   * pinned host keys. URLs on `ssh.host` are then fetched through it (and not vetted: where that
   * host's SSH server is comes from the platform's configuration, not from the repository).
   */
  ssh?: GitSshAccess;
  /** Or a GitHub App installation token over HTTPS (URLs on `https.host` not vetted either). */
  https?: GitHttpsAccess;
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
  if (!opts.ssh && opts.https) {
    const transport = httpsTransport(opts.https);
    return fetchWith(opts, transport.env, transport.repoUrl);
  }
  if (!opts.ssh) return fetchWith(opts, {}, opts.url);
  const access = opts.ssh;
  return withSshAccess(access, (transport) => fetchWith(opts, transport.env, transport.repoUrl));
}

async function fetchWith(opts: FetchRevisionOptions, env: Record<string, string>, url: string): Promise<FetchedRevision> {
  const { revision, branch, dest, timeoutMs, ssh } = opts;
  if (!SHA.test(revision)) throw new DomainError("invalid_input", `"${revision}" is not a full commit sha.`);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  const git = (args: string[], what: string, config?: Record<string, string>, cwd = dest) =>
    runGit({ args, cwd, what, timeoutMs, config, env });
  const vet = async (candidate: string) => {
    if (ssh && repoPathOnHost(candidate, ssh.host)) return;
    if (opts.https && repoPathOnHost(candidate, opts.https.host)) return;
    await opts.vetUrl?.(candidate);
  };
  const explain = (err: unknown) => {
    const cause = err instanceof Error ? (err.cause as { stderr?: unknown } | undefined) : undefined;
    const message = `${err instanceof Error ? err.message : String(err)}\n${typeof cause?.stderr === "string" ? cause.stderr : ""}`;
    return (ssh && explainSshFailure(message, ssh.host)) ?? null;
  };
  const readCommit = async () => {
    const { stdout } = await git(["log", "-1", "--format=%H%x00%s%x00%an <%ae>"], "read the commit");
    const [sha, subject, author] = stdout.trim().split("\0");
    return { sha: sha ?? "", subject: subject ?? "", author: author ?? "" };
  };
  /**
   * The branch's tip in one git process (no templates to copy, no tags; --no-local: a repository
   * on this disk is fetched as any other, never hard-linked into the checkout), with its commit;
   * null when it cannot be cloned (a branch gone, a server that refuses): the folder is emptied
   * again for the fetch by sha, which explains the failure if there is one.
   */
  const cloneBranchTip = async () => {
    try {
      await git(
        ["clone", "-q", "--template=", "--no-local", "--no-tags", "--depth", "1", "--branch", branch, "--", url, "."],
        `clone ${branch} from ${opts.url}`,
      );
      return await readCommit();
    } catch {
      await rm(dest, { recursive: true, force: true });
      await mkdir(dest, { recursive: true });
      return null;
    }
  };
  const fetchObjects = async () => {
    try {
      await git(["fetch", "-q", "--depth", "1", "origin", revision], `fetch ${revision.slice(0, 12)} from ${opts.url}`);
    } catch (first) {
      // Some servers refuse wants by sha; the branch always carries the pushed revision (or a descendant).
      try {
        await git(
          ["fetch", "-q", "origin", `+refs/heads/${branch}:refs/remotes/origin/${branch}`],
          `fetch branch ${branch} from ${opts.url}`,
        );
      } catch (err) {
        const why = explain(first) ?? explain(err);
        if (why === "access denied")
          throw new DomainError(
            "upstream_failed",
            `${opts.url} could not be fetched: access denied. Add the project's public key to the repository as a read-only deploy key (Settings → GitHub key and webhook): ${ssh!.repoKey.publicKey}`,
            { cause: err },
          );
        if (why) throw new DomainError("upstream_failed", `${opts.url} could not be fetched: ${why}.`, { cause: err });
        throw err;
      }
    }
  };
  await vet(opts.url);
  // A tip build (the usual push) is cloned; its commit is checked, and a branch that moved since
  // (or any other revision) is fetched by sha into the same repository.
  const cloned = opts.branchTip ? await cloneBranchTip() : null;
  let commit = cloned?.sha === revision ? cloned : null;
  if (!commit) {
    if (!cloned) {
      await git(["init", "-q", "--template="], "initialise the checkout");
      await git(["remote", "add", "origin", "--", url], "add the remote");
    }
    await fetchObjects();
    await git(["checkout", "-q", "--detach", revision], `check out ${revision.slice(0, 12)}`);
  }
  const submoduleConfig: Record<string, string> = opts.allowLocalSubmodules ? { "protocol.file.allow": "always" } : {};
  // Level by level (not --recursive): each level's URLs are vetted before git fetches from them,
  // and each submodule is fetched alone so a failure names its sub-repository.
  const updateSubmodules = async (cwd: string, depth: number): Promise<void> => {
    if (depth > 8) throw new DomainError("invalid_input", "Submodules are nested more than 8 levels deep.");
    // Most repositories have none: three git processes saved per build (the push → green overhead).
    if (!(await hasGitmodules(cwd))) return;
    await git(["submodule", "init", "-q"], "read the submodules", {}, cwd);
    const urls = await git(["config", "--local", "--get-regexp", "^submodule\\..*\\.url$"], "read the submodule URLs", {}, cwd).catch(
      () => ({ stdout: "" }),
    );
    const subs: Array<{ name: string; url: string }> = [];
    for (const line of urls.stdout.split("\n").filter(Boolean)) {
      const key = line.slice(0, line.indexOf(" "));
      const subUrl = line.slice(line.indexOf(" ") + 1);
      await vet(subUrl);
      subs.push({ name: key.slice("submodule.".length, -".url".length), url: subUrl });
    }
    if (subs.length === 0) return;
    for (const sub of subs) {
      const path = (
        await git(["config", "-f", ".gitmodules", "--get", `submodule.${sub.name}.path`], "read a submodule's path", {}, cwd).catch(() => ({
          stdout: sub.name,
        }))
      ).stdout.trim();
      try {
        await git(["submodule", "update", "--depth", "1", "--", path], `fetch the submodules (${path})`, submoduleConfig, cwd).catch(
          async () =>
            // A shallow submodule fetch fails when the pinned commit is not a branch tip: fetch it fully.
            git(["submodule", "update", "--", path], `fetch the submodules (${path})`, submoduleConfig, cwd),
        );
      } catch (err) {
        throw submoduleFailure({ url: sub.url, path, err, why: explain(err), ssh });
      }
    }
    const status = await git(["submodule", "status"], "list the submodules", {}, cwd);
    for (const line of status.stdout.split("\n")) {
      const path = line.trim().split(/\s+/)[1];
      if (path) await updateSubmodules(join(cwd, path), depth + 1);
    }
  };
  await updateSubmodules(dest, 1);
  commit ??= await readCommit();
  const { sha, subject, author } = commit;
  const submodules = (await hasGitmodules(dest))
    ? (await git(["submodule", "status", "--recursive"], "list the submodules")).stdout
        .split("\n")
        .map((l) => l.trim().split(/\s+/)[1])
        .filter((p): p is string => !!p)
    : [];
  await makeTreeReadable(dest);
  return { revision: sha, subject, author, submodules };
}

/** Whether a checked-out tree declares submodules (without `.gitmodules`, git has none to fetch). */
async function hasGitmodules(dir: string): Promise<boolean> {
  return access(join(dir, ".gitmodules")).then(
    () => true,
    () => false,
  );
}

/** A submodule that could not be fetched, named, with the key to add when access was denied (seed "Submodules"). */
function submoduleFailure(input: {
  url: string;
  path: string;
  err: unknown;
  why: string | null;
  ssh: GitSshAccess | undefined;
}): DomainError {
  const { url, path, err, why, ssh } = input;
  const head = `The sub-repository ${url} (submodule "${path}") could not be fetched`;
  if (why === "access denied" && ssh) {
    const subPath = repoPathOnHost(url, ssh.host);
    const key = ssh.submodules.find((s) => repoPathOnHost(s.url, ssh.host)?.toLowerCase() === subPath?.toLowerCase());
    const hint = key
      ? `Add this public key to ${url} as a read-only deploy key: ${key.publicKey}`
      : `Add ${url} to the project's Submodules settings, then add the public key shown there to that repository as a read-only deploy key.`;
    return new DomainError("upstream_failed", `${head}: access denied. ${hint}`, { cause: err });
  }
  const reason = why ?? (err instanceof Error ? err.message : String(err));
  return new DomainError("upstream_failed", `${head}: ${reason}`, { cause: err });
}
