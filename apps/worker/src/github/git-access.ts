import { readFile } from "node:fs/promises";
import { decryptSecret } from "@slipway/config";
import { findGitCredentials } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import { GITHUB_KNOWN_HOSTS, parseRepoUrl, type GitSshAccess } from "@slipway/git";
import type { WorkerDeps } from "../deps";

/**
 * The SSH access of a GitHub project with a deploy key (its key, its sub-repositories' keys, the
 * pinned host keys, where GitHub's SSH is): undefined for other projects, which fetch as before.
 * Decrypted here, in the worker, for one git run: never logged, never passed to a container.
 */
export async function projectGitAccess(deps: Pick<WorkerDeps, "prisma" | "config">, projectId: string): Promise<GitSshAccess | undefined> {
  const row = await findGitCredentials(deps.prisma, projectId);
  if (!row || row.repoKind !== "github" || !row.githubOwner || !row.githubRepo || !row.deployKeyEnc || !row.deployKeyPublic)
    return undefined;
  const key = deps.config.encryptionKey;
  const { knownHostsFile, endpoint } = deps.config.githubSsh;
  return {
    host: "github.com",
    ...(endpoint ? { endpoint } : {}),
    knownHosts: knownHostsFile ? await readFile(knownHostsFile, "utf8") : GITHUB_KNOWN_HOSTS,
    repo: `${row.githubOwner}/${row.githubRepo}`,
    repoKey: { privateKey: decryptSecret(row.deployKeyEnc, key), publicKey: row.deployKeyPublic },
    submodules: row.submodules.map((s) => ({ url: s.url, publicKey: s.publicKey, privateKey: decryptSecret(s.privateKeyEnc, key) })),
  };
}

/**
 * Runs a git operation through the project's SSH access when it has one. A repository given by its
 * https URL whose deploy key is refused (not added yet: manual set-up pending) is tried once more
 * anonymously, as before deploy keys: a public repository keeps building. An SSH URL has no other way.
 */
export async function withProjectGitAccess<T>(
  deps: Pick<WorkerDeps, "prisma" | "config">,
  project: { id: string; repoUrl: string },
  run: (ssh: GitSshAccess | undefined) => Promise<T>,
): Promise<T> {
  const ssh = await projectGitAccess(deps, project.id);
  if (!ssh) return run(undefined);
  try {
    return await run(ssh);
  } catch (error) {
    const https = parseRepoUrl(project.repoUrl).url.startsWith("https://");
    if (https && isDomainError(error) && /access denied/.test(error.message) && !/sub-repository/.test(error.message)) {
      return run(undefined).catch(() => {
        throw error;
      });
    }
    throw error;
  }
}
