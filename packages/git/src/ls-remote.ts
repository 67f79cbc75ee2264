import { runGit } from "./run-git";

/** Branch heads of a remote repository: branch name → commit sha (the poller's view). */
export async function listRemoteBranches({ url, timeoutMs }: { url: string; timeoutMs?: number }): Promise<Map<string, string>> {
  const { stdout } = await runGit({ args: ["ls-remote", "--heads", "--", url], timeoutMs, what: `list the branches of ${url}` });
  const heads = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]{40})\trefs\/heads\/(.+)$/.exec(line.trim());
    if (m) heads.set(m[2]!, m[1]!);
  }
  return heads;
}
