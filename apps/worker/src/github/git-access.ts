import { readFile } from "node:fs/promises";
import { decryptSecret } from "@slipway/config";
import { findGitCredentials } from "@slipway/db";
import { isDomainError } from "@slipway/domain";
import { GITHUB_KNOWN_HOSTS, parseRepoUrl, type GitHttpsAccess, type GitSshAccess } from "@slipway/git";
import type { WorkerDeps } from "../deps";
import { loadProjectGitHub } from "./project-github";

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

/** How one git run reaches a private GitHub repository (none: as any other repository). */
export interface ProjectGitTransport {
  ssh?: GitSshAccess;
  https?: GitHttpsAccess;
}

/**
 * A GitHub App installation token for the project's repository (HTTPS), when the platform's App
 * is installed on it; undefined otherwise. Minted per use, never stored.
 */
async function installationAccess(deps: Pick<WorkerDeps, "prisma" | "config">, projectId: string): Promise<GitHttpsAccess | undefined> {
  const github = await loadProjectGitHub(deps, projectId);
  if (github.via !== "app") return undefined;
  const { token } = (await github.client.auth({ type: "installation" })) as { token: string };
  return { host: "github.com", token, repo: `${github.owner}/${github.repo}` };
}

/**
 * Runs a git operation with the project's access: its deploy key over SSH, else an installation
 * token over HTTPS (the platform's GitHub App), else as any repository. When the deploy key is
 * refused (not added yet: manual set-up pending) the App's token is tried, then, for an https URL,
 * an anonymous fetch (a public repository keeps building). An SSH URL has no anonymous way.
 */
export async function withProjectGitAccess<T>(
  deps: Pick<WorkerDeps, "prisma" | "config">,
  project: { id: string; repoUrl: string },
  run: (access: ProjectGitTransport) => Promise<T>,
): Promise<T> {
  const repo = parseRepoUrl(project.repoUrl);
  if (repo.kind !== "github") return run({});
  const ssh = await projectGitAccess(deps, project.id);
  const refused = (error: unknown) => isDomainError(error) && /access denied/.test(error.message) && !/sub-repository/.test(error.message);
  let first: unknown = null;
  if (ssh) {
    try {
      return await run({ ssh });
    } catch (error) {
      if (!refused(error)) throw error;
      first = error;
    }
  }
  const https = await installationAccess(deps, project.id).catch(() => undefined);
  if (https) {
    try {
      return await run({ https });
    } catch (error) {
      if (first) throw first;
      throw error;
    }
  }
  if (first && !repo.url.startsWith("https://")) throw first;
  return run({}).catch((error: unknown) => {
    throw first ?? error;
  });
}
