// A project's GitHub credentials on its Settings page (seed "GitHub commit statuses": a GitHub
// token; issue 17: or the platform's GitHub App): set or remove the fine-grained token (checked
// against GitHub before it is stored, encrypted; never shown again), and check which credential
// Slipway would use. Admins of the project only; every change audited without the token.
import { encryptSecret, type WebConfig } from "@slipway/config";
import { findGitHubAppSummary, findProjectGitHubSecrets, setProjectGitHubToken, type Db } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { createGitHubClient, isGitHubStatus } from "@slipway/github";
import { z } from "zod";
import type { ProjectAccess } from "../access";
import { loadProjectGitHub, WEB_GITHUB_LIMITS } from "./project-github";

type Deps = { prisma: Db; config: Pick<WebConfig, "encryptionKey" | "github"> };

/** GitHub's token formats: fine-grained (github_pat_…), classic and app tokens (gh?_…). */
const tokenSchema = z
  .string()
  .trim()
  .regex(/^(?:github_pat_[A-Za-z0-9_]{20,255}|gh[pousr]_[A-Za-z0-9]{20,255})$/, { error: "not a GitHub token" });

export interface GitHubCredentialsView {
  repository: string | null;
  hasToken: boolean;
  /** The platform's App, if an administrator created one. */
  appName: string | null;
}

async function githubProject(deps: Deps, access: ProjectAccess) {
  access.assert({ action: "project_settings" });
  const project = await findProjectGitHubSecrets(deps.prisma, access.project.id);
  if (!project) throw new DomainError("not_found", "This project does not exist.");
  if (!project.repository) throw new DomainError("invalid_state", "GitHub credentials are for GitHub repositories only.");
  return { ...project, repository: project.repository };
}

export async function readGitHubCredentials(deps: Deps, access: ProjectAccess): Promise<GitHubCredentialsView> {
  access.assert({ action: "project_settings" });
  const project = await findProjectGitHubSecrets(deps.prisma, access.project.id);
  const app = await findGitHubAppSummary(deps.prisma);
  const repo = project?.repository;
  return { repository: repo ? `${repo.owner}/${repo.repo}` : null, hasToken: Boolean(project?.tokenEnc), appName: app?.name ?? null };
}

/** Stores the project's token once GitHub confirms it opens the repository; returns the notice. */
export async function changeProjectGitHubToken(
  deps: Deps,
  options: { access: ProjectAccess; token: string; ip: string | null },
): Promise<string> {
  const project = await githubProject(deps, options.access);
  const parsed = tokenSchema.safeParse(options.token);
  if (!parsed.success) throw new DomainError("invalid_input", "That is not a GitHub token (github_pat_… or ghp_…).");
  const { owner, repo } = project.repository;
  const client = createGitHubClient({
    baseUrl: deps.config.github.apiUrl,
    auth: { kind: "token", token: parsed.data },
    limits: WEB_GITHUB_LIMITS,
  });
  try {
    await client.rest.repos.get({ owner, repo });
  } catch (error) {
    if (isGitHubStatus(error, 401)) throw new DomainError("invalid_input", "GitHub refuses this token (revoked, expired or mistyped).");
    if (isGitHubStatus(error, 403, 404))
      throw new DomainError("invalid_input", `This token cannot read ${owner}/${repo}: give it access to the repository on GitHub.`);
    throw new DomainError("upstream_failed", "GitHub could not check the token; try again shortly.");
  }
  await setProjectGitHubToken(deps.prisma, {
    projectId: project.projectId,
    tokenEnc: encryptSecret(parsed.data, deps.config.encryptionKey),
    actorId: options.access.userId,
    ip: options.ip,
  });
  return `GitHub token saved: it opens ${owner}/${repo}.`;
}

export async function removeProjectGitHubToken(deps: Deps, options: { access: ProjectAccess; ip: string | null }): Promise<string> {
  const project = await githubProject(deps, options.access);
  if (!project.tokenEnc) return "The project has no GitHub token.";
  await setProjectGitHubToken(deps.prisma, {
    projectId: project.projectId,
    tokenEnc: null,
    actorId: options.access.userId,
    ip: options.ip,
  });
  return "GitHub token removed.";
}

/** Which credential Slipway uses for the project's GitHub calls, checked by reading the repository. */
export async function checkProjectGitHubCredentials(deps: Deps, access: ProjectAccess): Promise<string> {
  await githubProject(deps, access);
  const gh = await loadProjectGitHub(deps, access.project.id);
  if (gh.via === "none") return `No GitHub credentials work for this project: ${gh.reason}`;
  const how = gh.via === "app" ? `the GitHub App (installation ${gh.installationId})` : "the project's GitHub token";
  try {
    const { data } = await gh.client.rest.repos.get({ owner: gh.owner, repo: gh.repo });
    const admin = data.permissions?.admin ? "" : " It cannot administer the repository: deploy keys and webhooks need manual set-up.";
    const note = gh.via === "token" && gh.appProblem ? ` (${gh.appProblem})` : "";
    return `Slipway reaches ${gh.owner}/${gh.repo} through ${how}${note}.${admin}`;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    return `Slipway tried ${how}, and GitHub answered ${typeof status === "number" ? `HTTP ${status}` : "nothing"} for ${gh.owner}/${gh.repo}.`;
  }
}
