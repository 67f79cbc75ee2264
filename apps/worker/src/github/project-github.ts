// The worker's GitHub client for a project (commit statuses, merges, deploy keys and webhooks): the
// platform's GitHub App installation → the project's token → none (packages/github
// projectGitHubClient), with the stored secrets decrypted here and nowhere else.
import { decryptSecret } from "@slipway/config";
import { findGitHubAppSecrets, findProjectGitHubSecrets } from "@slipway/db";
import { projectGitHubClient, type GitHubAppSecret, type ProjectGitHubClient } from "@slipway/github";
import type { WorkerDeps } from "../deps";

type Deps = Pick<WorkerDeps, "prisma" | "config">;

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
  });
}
