import { decryptSecret, encryptSecret, generateSshKeyPair, type BaseConfig } from "@slipway/config";
import {
  deleteProjectSubmodule,
  findGitHubSetup,
  findWebhookSecretEnc,
  insertProjectSubmodule,
  recordGitHubSetup,
  type Db,
  type GitHubSetupView,
} from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { ensureDeployKey, ensureWebhook, type SetupOutcome } from "@slipway/github";
import { z } from "zod";
import type { ProjectAccess } from "../access";
import { recordAudit } from "../audit/record-audit";
import { loadProjectGitHub } from "../github/project-github";

// Seed "GitHub key and webhook" and "Submodules" on the project's settings page (admins only):
// the deploy key and the push webhook shown for manual set-up, Verify Deploy Key / Verify Webhook
// (found, repaired or explained through the GitHub client), and the private sub-repositories with
// the public key to add to each.

export interface GitHubSetupDeps {
  prisma: Db;
  config: Pick<BaseConfig, "encryptionKey" | "github">;
  publicUrl: string;
}

export const NO_CREDENTIALS = "Slipway cannot check GitHub: add the deploy key and the webhook by hand (shown here).";

/** The endpoint every GitHub repository's push webhook posts to. */
export function githubWebhookUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/api/webhooks/github`;
}

export async function readGitHubSetup(deps: Pick<GitHubSetupDeps, "prisma">, access: ProjectAccess): Promise<GitHubSetupView> {
  access.assert({ action: "project_settings" });
  const setup = await findGitHubSetup(deps.prisma, access.project.id);
  if (!setup) throw new DomainError("not_found", "This project does not exist.");
  return setup;
}

const wording: Record<SetupOutcome["result"], string> = { ok: "verified", added: "added", repaired: "repaired", failed: "failed" };

/** Verify Deploy Key / Verify Webhook: checks on GitHub, repairs or explains; audited. Returns the notice. */
export async function verifyGitHubSetup(
  deps: GitHubSetupDeps,
  options: { access: ProjectAccess; what: "deploy-key" | "webhook"; ip: string | null },
): Promise<{ ok: boolean; message: string }> {
  const { access, what } = options;
  const setup = await readGitHubSetup(deps, access);
  if (setup.repoKind !== "github" || !setup.githubOwner || !setup.githubRepo)
    throw new DomainError("invalid_state", "Deploy keys and webhooks are set up for GitHub repositories only.");
  // The platform's GitHub App installation, else the project's token.
  const found = await loadProjectGitHub(deps, access.project.id);
  const github = found.via === "none" ? null : found;
  let outcome: SetupOutcome;
  if (found.via === "none") outcome = { result: "failed", message: `${found.reason} ${NO_CREDENTIALS}` };
  else if (!github) throw new Error("unreachable");
  else if (what === "deploy-key") {
    if (!setup.deployKeyPublic) throw new DomainError("invalid_state", "This project has no deploy key.");
    outcome = await ensureDeployKey({
      client: github.client,
      owner: github.owner,
      repo: github.repo,
      publicKey: setup.deployKeyPublic,
      title: `Slipway (${setup.slug})`,
    });
  } else {
    const secretEnc = await findWebhookSecretEnc(deps.prisma, { projectId: access.project.id });
    if (!secretEnc) throw new DomainError("not_found", "This project does not exist.");
    outcome = await ensureWebhook({
      client: github.client,
      owner: github.owner,
      repo: github.repo,
      url: githubWebhookUrl(deps.publicUrl),
      secret: decryptSecret(secretEnc, deps.config.encryptionKey),
    });
  }
  const status = !github ? "manual" : outcome.result === "failed" ? "failed" : "added";
  await recordGitHubSetup(deps.prisma, access.project.id, {
    [what === "deploy-key" ? "deployKey" : "webhook"]: { status, message: outcome.message },
  });
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: what === "deploy-key" ? "github.deploy-key.verify" : "github.webhook.verify",
    target: `${setup.githubOwner}/${setup.githubRepo}`,
    details: { result: outcome.result, message: outcome.message },
    ip: options.ip,
  });
  const label = what === "deploy-key" ? "Deploy key" : "Webhook";
  return { ok: outcome.result !== "failed", message: `${label} ${wording[outcome.result]}: ${outcome.message}` };
}

const submoduleUrl = z
  .string()
  .trim()
  .regex(/^(?:git@github\.com:|ssh:\/\/git@github\.com\/)[A-Za-z0-9-]+\/[A-Za-z0-9._-]+?(?:\.git)?$/, {
    error: "Enter the sub-repository's SSH URL, such as git@github.com:owner/repository.git.",
  })
  .transform((u) => {
    const path = u.replace(/^(?:git@github\.com:|ssh:\/\/git@github\.com\/)/, "").replace(/\.git$/, "");
    return `git@github.com:${path}.git`;
  });

/** Adds a private sub-repository (seed "Submodules"): a key pair of its own; the public key is shown to add to it. */
export async function addSubmodule(
  deps: GitHubSetupDeps,
  options: { access: ProjectAccess; url: string; ip: string | null },
): Promise<string> {
  const { access } = options;
  access.assert({ action: "project_settings" });
  const parsed = submoduleUrl.safeParse(options.url);
  if (!parsed.success) throw new DomainError("invalid_input", parsed.error.issues[0]?.message ?? "Invalid URL.");
  const url = parsed.data;
  const pair = generateSshKeyPair({ comment: `slipway:${access.project.slug}:${url.slice("git@github.com:".length, -4)}` });
  await insertProjectSubmodule(deps.prisma, {
    projectId: access.project.id,
    url,
    publicKey: pair.publicKey,
    privateKeyEnc: encryptSecret(pair.privateKey, deps.config.encryptionKey),
  });
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: "submodule.add",
    target: url,
    details: { fingerprint: pair.fingerprint },
    ip: options.ip,
  });
  return `${url} added: add its public key (below) to that repository as a read-only deploy key.`;
}

export async function removeSubmodule(
  deps: GitHubSetupDeps,
  options: { access: ProjectAccess; id: string; ip: string | null },
): Promise<string> {
  const { access } = options;
  access.assert({ action: "project_settings" });
  const url = await deleteProjectSubmodule(deps.prisma, { projectId: access.project.id, id: options.id });
  if (!url) throw new DomainError("not_found", "This sub-repository is not listed.");
  await recordAudit({
    prisma: deps.prisma,
    actorId: access.userId,
    projectId: access.project.id,
    action: "submodule.remove",
    target: url,
    ip: options.ip,
  });
  return `${url} removed (its key can be deleted on GitHub too).`;
}
