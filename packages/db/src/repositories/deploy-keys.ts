import { DomainError } from "@slipway/domain";
import type { Db } from "../client";
import { isUniqueViolation } from "./errors";

// Deploy keys and the push webhook of GitHub projects (seed "GitHub key and webhook", "Submodules").
// Private halves are stored encrypted (packages/config) and read by the worker only, for a fetch.

export type GitHubSetupStatus = "none" | "pending" | "added" | "manual" | "failed";

/** What the settings page shows: never a private key. */
export interface GitHubSetupView {
  slug: string;
  repoKind: string;
  githubOwner: string | null;
  githubRepo: string | null;
  deployKeyPublic: string | null;
  deployKeyStatus: GitHubSetupStatus;
  deployKeyMessage: string | null;
  webhookStatus: GitHubSetupStatus;
  webhookMessage: string | null;
  submodules: Array<{ id: string; url: string; publicKey: string; createdAt: Date }>;
}

export async function findGitHubSetup(db: Db, projectId: string): Promise<GitHubSetupView | null> {
  const row = await db.project.findUnique({
    where: { id: projectId },
    select: {
      slug: true,
      repoKind: true,
      githubOwner: true,
      githubRepo: true,
      deployKeyPublic: true,
      deployKeyStatus: true,
      deployKeyMessage: true,
      webhookStatus: true,
      webhookMessage: true,
      submodules: { select: { id: true, url: true, publicKey: true, createdAt: true }, orderBy: { createdAt: "asc" } },
    },
  });
  if (!row) return null;
  return { ...row, deployKeyStatus: row.deployKeyStatus as GitHubSetupStatus, webhookStatus: row.webhookStatus as GitHubSetupStatus };
}

/** The worker's read for a fetch: the encrypted keys of the repository and of its sub-repositories. */
export function findGitCredentials(db: Db, projectId: string) {
  return db.project.findUnique({
    where: { id: projectId },
    select: {
      repoUrl: true,
      repoKind: true,
      githubOwner: true,
      githubRepo: true,
      deployKeyEnc: true,
      deployKeyPublic: true,
      deployKeyStatus: true,
      submodules: { select: { url: true, publicKey: true, privateKeyEnc: true }, orderBy: { createdAt: "asc" } },
    },
  });
}

/** Stores a project's deploy key pair (the private half already encrypted). */
export async function setDeployKey(
  db: Db,
  projectId: string,
  key: { publicKey: string; privateKeyEnc: string; githubTokenEnc?: string },
): Promise<void> {
  await db.project.update({
    where: { id: projectId },
    data: {
      deployKeyPublic: key.publicKey,
      deployKeyEnc: key.privateKeyEnc,
      ...(key.githubTokenEnc ? { githubTokenEnc: key.githubTokenEnc } : {}),
    },
  });
}

export async function recordGitHubSetup(
  db: Db,
  projectId: string,
  state: {
    deployKey?: { status: GitHubSetupStatus; message: string | null };
    webhook?: { status: GitHubSetupStatus; message: string | null };
  },
): Promise<void> {
  await db.project.update({
    where: { id: projectId },
    data: {
      ...(state.deployKey ? { deployKeyStatus: state.deployKey.status, deployKeyMessage: state.deployKey.message } : {}),
      ...(state.webhook ? { webhookStatus: state.webhook.status, webhookMessage: state.webhook.message } : {}),
    },
  });
}

export async function insertProjectSubmodule(
  db: Db,
  input: { projectId: string; url: string; publicKey: string; privateKeyEnc: string },
): Promise<{ id: string; url: string; publicKey: string }> {
  try {
    return await db.projectSubmodule.create({ data: input, select: { id: true, url: true, publicKey: true } });
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError("conflict", `${input.url} is already listed.`);
    throw e;
  }
}

/** Removes one sub-repository of the project; its URL, or null when it was not the project's. */
export async function deleteProjectSubmodule(db: Db, input: { projectId: string; id: string }): Promise<string | null> {
  const row = await db.projectSubmodule.findFirst({ where: { id: input.id, projectId: input.projectId }, select: { url: true } });
  if (!row) return null;
  await db.projectSubmodule.deleteMany({ where: { id: input.id, projectId: input.projectId } });
  return row.url;
}
