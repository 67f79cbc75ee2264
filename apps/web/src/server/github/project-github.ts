// The web side's GitHub client for a project (verify buttons, settings): the platform's GitHub App
// installation → the project's token → none (packages/github projectGitHubClient), the stored
// secrets read and decrypted by @slipway/db findProjectGitHubCredentials with the web's key.
import { decryptSecret, type BaseConfig } from "@slipway/config";
import { findProjectGitHubCredentials, type Db } from "@slipway/db";
import { projectGitHubClient, type ProjectGitHubClient } from "@slipway/github";

type Deps = { prisma: Db; config: Pick<BaseConfig, "encryptionKey" | "github"> };

/**
 * GitHub calls made while a browser waits: a rate limit is waited out only when it lifts within
 * 10 s (a secondary limit's usual minute, or an hour-long reset, fails the request at once with
 * GitHub's message instead of hanging the page); a 5xx or an unreachable GitHub is tried once more
 * after 1 s, not three times over 14 s (the page says so at once; the user can submit again); no
 * call waits more than 10 s for an answer. The worker's jobs keep the client's defaults.
 */
export const WEB_GITHUB_LIMITS = { maxWaitSeconds: 10, rateLimitRetries: 2, serverErrorRetries: 1, timeoutMs: 10_000 } as const;

export async function loadProjectGitHub(deps: Deps, projectId: string): Promise<ProjectGitHubClient> {
  const credentials = await findProjectGitHubCredentials(deps.prisma, projectId, (enc) => decryptSecret(enc, deps.config.encryptionKey));
  if (!credentials) return { via: "none", reason: "The project does not exist." };
  return projectGitHubClient({ apiUrl: deps.config.github.apiUrl, ...credentials, limits: WEB_GITHUB_LIMITS });
}
