import type { GitHubClient } from "@slipway/github";
import type { WorkerDeps } from "../deps";
import { loadProjectGitHub } from "./project-github";

/** A GitHub client for one project's repository, with the repository it acts on. */
export interface ProjectGitHub {
  client: GitHubClient;
  owner: string;
  repo: string;
}

/**
 * The project's GitHub client (loadProjectGitHub: the platform App's installation → the project's
 * token) when it is a GitHub project with credentials; null otherwise (other hosts, or nothing
 * configured: callers fall back to git or skip).
 */
export async function projectGitHub(deps: Pick<WorkerDeps, "prisma" | "config">, projectId: string): Promise<ProjectGitHub | null> {
  const github = await loadProjectGitHub(deps, projectId);
  return github.via === "none" ? null : { client: github.client, owner: github.owner, repo: github.repo };
}

/**
 * GitHub's answer in words, for logs and the build page: the HTTP status and GitHub's message,
 * never the request (its headers carry the credentials). Retryable: 5xx, 429, rate limits, network.
 */
export function gitHubErrorSummary(error: unknown): { status: number | null; retryable: boolean; message: string } {
  const status =
    typeof error === "object" && error !== null && "status" in error && typeof (error as { status: unknown }).status === "number"
      ? (error as { status: number }).status
      : null;
  const raw = error instanceof Error ? error.message : String(error);
  // Octokit appends " - https://docs.github.com/..." to GitHub's message.
  const text = raw.replace(/\s+-\s+https?:\/\/\S+$/, "").slice(0, 200);
  const rateLimited = status === 403 && /rate limit/i.test(text);
  const retryable = status === null || status >= 500 || status === 429 || rateLimited;
  return { status, retryable, message: status === null ? text : `${status} ${text}` };
}
