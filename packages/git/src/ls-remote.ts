import { runGit } from "./run-git";
import { DomainError } from "@slipway/domain";
import { explainSshFailure, httpsTransport, withSshAccess, type GitHttpsAccess, type GitSshAccess } from "./ssh-access";

/** Branch heads of a remote repository: branch name → commit sha (the poller's view); `ssh` for a private repository. */
export async function listRemoteBranches({
  url,
  timeoutMs,
  ssh,
  https,
}: {
  url: string;
  timeoutMs?: number;
  ssh?: GitSshAccess;
  /** Or a GitHub App installation token over HTTPS. */
  https?: GitHttpsAccess;
}): Promise<Map<string, string>> {
  const run = (target: string, env?: Record<string, string>) =>
    runGit({ args: ["ls-remote", "--heads", "--", target], timeoutMs, env, what: `list the branches of ${url}` });
  const { stdout } = ssh
    ? await withSshAccess(ssh, (t) => run(t.repoUrl, t.env)).catch((err: unknown) => {
        const stderr = err instanceof Error ? String((err.cause as { stderr?: unknown } | undefined)?.stderr ?? "") : "";
        const why = explainSshFailure(`${String(err)}\n${stderr}`, ssh.host);
        if (!why) throw err;
        throw new DomainError(
          "upstream_failed",
          why === "access denied"
            ? `${url} could not be read: access denied (the project's deploy key is not on the repository).`
            : `${url} could not be read: ${why}.`,
          { cause: err },
        );
      })
    : https
      ? await (() => {
          const t = httpsTransport(https);
          return run(t.repoUrl, t.env);
        })()
      : await run(url);
  const heads = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{40})\trefs\/heads\/(.+)$/.exec(line.trim());
    if (m) heads.set(m[2]!, m[1]!);
  }
  return heads;
}
