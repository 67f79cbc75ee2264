// The web side's GitHub client for a project (verify buttons, settings): the platform's GitHub App
// installation → the project's token → none (packages/github projectGitHubClient), with the stored
// secrets decrypted here and nowhere else.
import { decryptSecret, type BaseConfig } from "@slipway/config";
import { findGitHubAppSecrets, findProjectGitHubSecrets, type Db } from "@slipway/db";
import { projectGitHubClient, type GitHubAppSecret, type ProjectGitHubClient } from "@slipway/github";

type Deps = { prisma: Db; config: Pick<BaseConfig, "encryptionKey" | "github"> };

/**
 * GitHub calls made while a browser waits: a rate limit is waited out only when it lifts within
 * 10 s (a secondary limit's usual minute, or an hour-long reset, fails the request at once with
 * GitHub's message instead of hanging the page); the worker's jobs keep the client's defaults.
 */
export const WEB_GITHUB_LIMITS = { maxWaitSeconds: 10, rateLimitRetries: 2 } as const;

/** The platform's GitHub App with its private key decrypted, or null when none was created. */
export async function loadGitHubAppSecret(deps: Deps): Promise<GitHubAppSecret | null> {
  const app = await findGitHubAppSecrets(deps.prisma);
  return app ? { appId: app.appId, privateKey: decryptSecret(app.privateKeyEnc, deps.config.encryptionKey) } : null;
}

export async function loadProjectGitHub(deps: Deps, projectId: string): Promise<ProjectGitHubClient> {
  const project = await findProjectGitHubSecrets(deps.prisma, projectId);
  if (!project) return { via: "none", reason: "The project does not exist." };
  return projectGitHubClient({
    apiUrl: deps.config.github.apiUrl,
    repository: project.repository,
    token: project.tokenEnc ? decryptSecret(project.tokenEnc, deps.config.encryptionKey) : null,
    app: project.repository ? await loadGitHubAppSecret(deps) : null,
    limits: WEB_GITHUB_LIMITS,
  });
}
