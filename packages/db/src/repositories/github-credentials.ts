// GitHub credentials (issue 17 item 2, docs/decisions/0010-github-credentials.md): the platform's
// GitHub App (one row, created by the manifest flow) and each project's fine-grained token. Secrets
// arrive and leave encrypted (the apps encrypt/decrypt with packages/config's key), except through
// findProjectGitHubCredentials, which decrypts with the function the app hands in; summaries for
// pages carry none; audit entries name what changed, never a secret.
import type { Db } from "../client";
import { insertAuditEntry } from "./audit";

const APP_ROW = "default";

/** The App as pages show it: no secret. */
export interface GitHubAppSummary {
  appId: number;
  slug: string;
  name: string;
  ownerLogin: string;
  htmlUrl: string;
  createdAt: Date;
}

/** The App with its encrypted secrets, for the servers that mint installation tokens. */
export interface GitHubAppSecrets {
  appId: number;
  privateKeyEnc: string;
  clientId: string;
  clientSecretEnc: string;
  webhookSecretEnc: string | null;
}

export interface NewGitHubApp extends Omit<GitHubAppSummary, "createdAt"> {
  clientId: string;
  clientSecretEnc: string;
  webhookSecretEnc: string | null;
  privateKeyEnc: string;
}

export function findGitHubAppSummary(db: Db): Promise<GitHubAppSummary | null> {
  return db.gitHubApp.findUnique({
    where: { id: APP_ROW },
    select: { appId: true, slug: true, name: true, ownerLogin: true, htmlUrl: true, createdAt: true },
  });
}

export function findGitHubAppSecrets(db: Db): Promise<GitHubAppSecrets | null> {
  return db.gitHubApp.findUnique({
    where: { id: APP_ROW },
    select: { appId: true, privateKeyEnc: true, clientId: true, clientSecretEnc: true, webhookSecretEnc: true },
  });
}

/** Stores the App GitHub created from the manifest (replacing an earlier one) and audits it. */
export async function saveGitHubApp(db: Db, options: { app: NewGitHubApp; actorId: string; ip: string | null }): Promise<void> {
  const { app } = options;
  await db.$transaction(async (tx) => {
    const previous = await tx.gitHubApp.findUnique({ where: { id: APP_ROW }, select: { appId: true } });
    const data = { ...app, createdById: options.actorId, createdAt: new Date() };
    await tx.gitHubApp.upsert({ where: { id: APP_ROW }, create: { id: APP_ROW, ...data }, update: data });
    await insertAuditEntry(tx, {
      projectId: null,
      actorId: options.actorId,
      action: "github_app.create",
      target: `${app.ownerLogin}/${app.slug}`,
      details: { appId: app.appId, name: app.name, ...(previous ? { replaced: previous.appId } : {}) },
      ip: options.ip,
    });
  });
}

/** Forgets the App (its installations stay on GitHub until uninstalled there) and audits it. */
export async function deleteGitHubApp(db: Db, options: { actorId: string; ip: string | null }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const row = await tx.gitHubApp.findUnique({ where: { id: APP_ROW }, select: { appId: true, slug: true, ownerLogin: true } });
    if (!row) return false;
    await tx.gitHubApp.delete({ where: { id: APP_ROW } });
    await insertAuditEntry(tx, {
      projectId: null,
      actorId: options.actorId,
      action: "github_app.delete",
      target: `${row.ownerLogin}/${row.slug}`,
      details: { appId: row.appId },
      ip: options.ip,
    });
    return true;
  });
}

/** A project's GitHub repository and its encrypted token (null for other hosts). */
export interface ProjectGitHubSecrets {
  projectId: string;
  repository: { owner: string; repo: string } | null;
  tokenEnc: string | null;
}

export async function findProjectGitHubSecrets(db: Db, projectId: string): Promise<ProjectGitHubSecrets | null> {
  const row = await db.project.findUnique({
    where: { id: projectId },
    select: { id: true, repoKind: true, githubOwner: true, githubRepo: true, githubTokenEnc: true },
  });
  if (!row) return null;
  return {
    projectId: row.id,
    repository: row.repoKind === "github" && row.githubOwner && row.githubRepo ? { owner: row.githubOwner, repo: row.githubRepo } : null,
    tokenEnc: row.githubTokenEnc,
  };
}

/** What packages/github projectGitHubClient needs for a project, secrets decrypted (its input's shape). */
export interface ProjectGitHubCredentials {
  repository: { owner: string; repo: string } | null;
  token: string | null;
  /** The platform's GitHub App, looked up only for a GitHub repository. */
  app: { appId: number; privateKey: string } | null;
}

/**
 * A project's GitHub repository, token and the platform's App with the secrets decrypted by
 * `decrypt` (the app's packages/config decryptSecret with its key), or null when the project does
 * not exist: the one loader behind web's and worker's loadProjectGitHub.
 */
export async function findProjectGitHubCredentials(
  db: Db,
  projectId: string,
  decrypt: (ciphertext: string) => string,
): Promise<ProjectGitHubCredentials | null> {
  const project = await findProjectGitHubSecrets(db, projectId);
  if (!project) return null;
  const app = project.repository ? await findGitHubAppSecrets(db) : null;
  return {
    repository: project.repository,
    token: project.tokenEnc ? decrypt(project.tokenEnc) : null,
    app: app ? { appId: app.appId, privateKey: decrypt(app.privateKeyEnc) } : null,
  };
}

/** Sets (tokenEnc) or removes (null) a project's GitHub token, audited as project.github_token.set / .remove. */
export async function setProjectGitHubToken(
  db: Db,
  options: { projectId: string; tokenEnc: string | null; actorId: string | null; ip: string | null },
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.project.update({ where: { id: options.projectId }, data: { githubTokenEnc: options.tokenEnc } });
    await insertAuditEntry(tx, {
      projectId: options.projectId,
      actorId: options.actorId,
      action: options.tokenEnc === null ? "project.github_token.remove" : "project.github_token.set",
      target: "GitHub token",
      ip: options.ip,
    });
  });
}
