// The worker's GitHub client for a project (commit statuses, merges, deploy keys and webhooks): the
// platform's GitHub App installation → the project's token → none (packages/github
// projectGitHubClient), the stored secrets read and decrypted by @slipway/db
// findProjectGitHubCredentials with this worker's key.
import { decryptSecret } from "@slipway/config";
import { findProjectGitHubCredentials } from "@slipway/db";
import { projectGitHubClient, type ProjectGitHubClient } from "@slipway/github";
import type { WorkerDeps } from "../deps";

type Deps = Pick<WorkerDeps, "prisma" | "config">;

export async function loadProjectGitHub(deps: Deps, projectId: string): Promise<ProjectGitHubClient> {
  const credentials = await findProjectGitHubCredentials(deps.prisma, projectId, (enc) => decryptSecret(enc, deps.config.encryptionKey));
  if (!credentials) return { via: "none", reason: "The project does not exist." };
  return projectGitHubClient({ apiUrl: deps.config.github.apiUrl, ...credentials });
}
