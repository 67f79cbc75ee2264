import { decryptSecret } from "@slipway/config";
import { findGitHubSetup, findWebhookSecretEnc, insertAuditEntry, recordGitHubSetup, type GitHubSetupStatus } from "@slipway/db";
import { ensureDeployKey, ensureWebhook, type SetupOutcome } from "@slipway/github";
import type { JobPayload } from "@slipway/queue";
import type { WorkerDeps } from "../deps";
import { loadProjectGitHub } from "./project-github";

export const NO_CREDENTIALS = "Add the deploy key and the webhook on GitHub by hand (shown below), then use Verify.";

/** The push endpoint every GitHub repository's webhook posts to (projects are told apart by repository). */
export function githubWebhookUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/api/webhooks/github`;
}

export function setupStatusOf(outcome: SetupOutcome): GitHubSetupStatus {
  return outcome.result === "failed" ? "failed" : "added";
}

/**
 * The `github.setup-project` job (seed "GitHub key and webhook"): adds the project's public key as a
 * read-only deploy key and creates the push webhook with the project's secret through the project's
 * GitHub client. Without credentials both are left for manual set-up (the settings page shows
 * them); GitHub's refusals are recorded in plain words. Idempotent: what exists is found, not doubled.
 */
export async function setUpGitHubProject(
  deps: Pick<WorkerDeps, "prisma" | "config" | "logger">,
  payload: JobPayload<"github.setup-project">,
): Promise<void> {
  const { projectId } = payload;
  const setup = await findGitHubSetup(deps.prisma, projectId);
  if (!setup || setup.repoKind !== "github" || !setup.githubOwner || !setup.githubRepo || !setup.deployKeyPublic) return;
  // The platform's GitHub App installation, else the project's token (loadProjectGitHub).
  const github = await loadProjectGitHub(deps, projectId);
  if (github.via === "none") {
    const message = `${github.reason} ${NO_CREDENTIALS}`;
    await recordGitHubSetup(deps.prisma, projectId, {
      deployKey: { status: "manual", message },
      webhook: { status: "manual", message },
    });
    return;
  }
  const secretEnc = await findWebhookSecretEnc(deps.prisma, { projectId });
  if (!secretEnc) return;
  const key = await ensureDeployKey({
    client: github.client,
    owner: github.owner,
    repo: github.repo,
    publicKey: setup.deployKeyPublic,
    title: `Slipway (${setup.slug})`,
  });
  const hook = await ensureWebhook({
    client: github.client,
    owner: github.owner,
    repo: github.repo,
    url: githubWebhookUrl(deps.config.web.publicUrl),
    secret: decryptSecret(secretEnc, deps.config.encryptionKey),
  });
  await recordGitHubSetup(deps.prisma, projectId, {
    deployKey: { status: setupStatusOf(key), message: key.message },
    webhook: { status: setupStatusOf(hook), message: hook.message },
  });
  const target = `${github.owner}/${github.repo}`;
  for (const [action, outcome] of [
    ["github.deploy-key.setup", key],
    ["github.webhook.setup", hook],
  ] as const)
    await insertAuditEntry(deps.prisma, {
      actorId: null,
      projectId,
      action,
      target,
      details: { result: outcome.result, message: outcome.message },
    });
  deps.logger.info({ projectId, deployKey: key.result, webhook: hook.result }, "GitHub deploy key and webhook set up");
}
